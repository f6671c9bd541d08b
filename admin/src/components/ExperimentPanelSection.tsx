/**
 * The side panel's experiments of a base entry: each with its status, arms and, once it has
 * counts, who is winning, refreshed while it runs.
 */
import * as React from 'react';
import { Box, Button, Flex, Link, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { NavLink, useNavigate } from 'react-router-dom';
import { API, useResource, type Experiment, type ExperimentResultsAnswer, type VariantRecord } from '../api';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';
import { EXPERIMENTS_PATH, ExperimentStatusBadge, useArmNames, useArmsSummary } from './ExperimentArms';
import { judgeExperiment, useVerdictWording, type ArmNames } from './ExperimentVerdict';

/** How often the panel asks again for the results of a running experiment. */
const REFRESH_MS = 30_000;

export interface ExperimentPanelSectionProps {
  model: string;
  baseDocumentId: string;
  variants: readonly VariantRecord[];
  /** Whether the panel shows the base entry itself (experiments are created there). */
  isBase: boolean;
}

export const ExperimentPanelSection = ({ model, baseDocumentId, variants, isBase }: ExperimentPanelSectionProps) => {
  const t = useT();
  const can = usePluginPermissions();
  const navigate = useNavigate();
  const experiments = useResource<Experiment[]>(API.experimentsOf(model, baseDocumentId));
  const names = useArmNames(variants);
  const list = experiments.data ?? [];
  // Missing on a server without experiments: the panel then shows nothing of them.
  if (experiments.problem?.status === 404) return null;

  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="experiments-panel">
      <Typography variant="sigma" textColor="neutral600" tag="h3">
        {t('experiments.panel.title', 'Experiments ({count})', { count: list.length })}
      </Typography>
      {experiments.problem && (
        <Typography variant="pi" textColor="danger600" role="alert">
          {experiments.problem.message}
        </Typography>
      )}
      {experiments.data && list.length === 0 && (
        <Typography variant="pi" textColor="neutral600">
          {t('experiments.panel.none', 'No experiment on this entry.')}
        </Typography>
      )}
      {list.map((experiment) => (
        <PanelExperiment key={experiment.documentId} experiment={experiment} names={names} />
      ))}
      {can.manageExperiments && isBase && variants.length > 0 && (
        <Button
          variant="tertiary"
          startIcon={<Plus />}
          fullWidth
          onClick={() => navigate(`${EXPERIMENTS_PATH}?${new URLSearchParams({ contentType: model, baseDocumentId })}`)}
        >
          {t('experiments.create', 'Create experiment')}
        </Button>
      )}
    </Flex>
  );
};

const PanelExperiment = ({ experiment, names }: { experiment: Experiment; names: ArmNames }) => {
  const t = useT();
  const summary = useArmsSummary(names);
  const word = useVerdictWording();
  const measured = experiment.status !== 'draft';
  const results = useResource<ExperimentResultsAnswer>(measured ? API.experimentResults(experiment.documentId) : null);
  const { reload } = results;
  React.useEffect(() => {
    if (experiment.status !== 'running') return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [experiment.status, reload]);
  const answer = results.data?.results;

  return (
    <Box padding={3} hasRadius background="neutral0" borderColor="neutral200" borderStyle="solid" borderWidth="1px" aria-label={experiment.name} tag="section">
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
          <Link tag={NavLink} to={`${EXPERIMENTS_PATH}/${experiment.documentId}`}>
            {experiment.name}
          </Link>
          <ExperimentStatusBadge experiment={experiment} />
        </Flex>
        <Typography variant="pi" textColor="neutral800">
          {summary(experiment.arms)}
        </Typography>
        {answer && (
          <Typography variant="pi" textColor="neutral800" data-testid="experiment-winning">
            {word(judgeExperiment(answer, answer.goals[0]), names)}
          </Typography>
        )}
        {!measured && (
          <Typography variant="pi" textColor="neutral600">
            {t('experiments.panel.draft', 'Not started: no visitor is enrolled yet.')}
          </Typography>
        )}
      </Flex>
    </Box>
  );
};
