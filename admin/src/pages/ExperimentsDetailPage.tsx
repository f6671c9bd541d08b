/**
 * One experiment: its definition, start, stop and promote, and its results: the verdict, the
 * sample-ratio warning, each arm's rate over days with its interval, and the figures per arm.
 */
import * as React from 'react';
import {
  Box,
  Button,
  Dialog,
  Field,
  Flex,
  Link,
  Loader,
  Radio,
  SingleSelect,
  SingleSelectOption,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowLeft, Check, Pencil, Play, Stop, Trash } from '@strapi/icons';
import { ConfirmDialog, Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { NavLink, useNavigate, useParams } from 'react-router-dom';
import {
  API,
  problemOf,
  useResource,
  useSettings,
  type ArmResult,
  type Experiment,
  type ExperimentResultsAnswer,
  type VariantRecord,
} from '../api';
import { ExperimentStatusBadge, useArmNames, useArmsSummary } from '../components/ExperimentArms';
import { ExperimentChart } from '../components/ExperimentChart';
import { ExperimentDialog } from '../components/ExperimentDialog';
import { ExperimentVerdict, SampleRatioWarning, judgeExperiment, type ArmNames } from '../components/ExperimentVerdict';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';

/** Results of a running experiment are fetched again this often, so the page follows the counts. */
const REFRESH_MS = 30_000;

export const ExperimentsDetailPage = () => {
  const { id = '' } = useParams();
  const t = useT();
  const can = usePluginPermissions();
  const navigate = useNavigate();
  const { post, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { data: settings } = useSettings();
  const answer = useResource<ExperimentResultsAnswer>(API.experimentResults(id));
  const experiment = answer.data?.experiment;
  const variants = useResource<VariantRecord[]>(experiment ? API.variantsOf(experiment.contentType, experiment.baseDocumentId) : null);
  const names = useArmNames(variants.data);
  const [busy, setBusy] = React.useState(false);
  const [promoting, setPromoting] = React.useState(false);
  const [editing, setEditing] = React.useState(false);
  const { reload } = answer;

  React.useEffect(() => {
    if (experiment?.status !== 'running') return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [experiment?.status, reload]);

  const act = async (work: () => Promise<unknown>, success: string) => {
    setBusy(true);
    try {
      await work();
      toggleNotification({ type: 'success', message: success });
      reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: problemOf(error).message });
    } finally {
      setBusy(false);
    }
  };

  if (answer.problem) {
    return (
      <Page.Main>
        <Layouts.Content>
          <Typography textColor="danger600" role="alert">
            {answer.problem.message}
          </Typography>
        </Layouts.Content>
      </Page.Main>
    );
  }
  if (!answer.data || !experiment) return <Page.Loading />;
  const { results } = answer.data;
  const type = settings?.contentTypes.find((candidate) => candidate.uid === experiment.contentType);
  const entryPath =
    type?.kind === 'singleType'
      ? `/content-manager/single-types/${experiment.contentType}`
      : `/content-manager/collection-types/${experiment.contentType}/${experiment.baseDocumentId}`;
  const canPromote = can.manageExperiments && experiment.status !== 'draft' && !experiment.promotedArm;

  return (
    <Page.Main>
      <Page.Title>{experiment.name}</Page.Title>
      <Layouts.Header
        navigationAction={
          <Link tag={NavLink} to=".." relative="path" startIcon={<ArrowLeft />}>
            {t('experiments.back', 'Experiments')}
          </Link>
        }
        title={experiment.name}
        subtitle={t('experiments.detail.subtitle', '{type} entry, key {key}', { key: experiment.key, type: type?.displayName ?? experiment.contentType })}
        secondaryAction={<ExperimentStatusBadge experiment={experiment} />}
        primaryAction={
          can.manageExperiments ? (
            <Flex gap={2}>
              {experiment.status === 'draft' && settings && (
                <Button variant="secondary" startIcon={<Pencil />} disabled={busy} onClick={() => setEditing(true)}>
                  {t('experiments.edit', 'Edit')}
                </Button>
              )}
              {experiment.status === 'draft' && (
                <Confirmed
                  label={t('experiments.start', 'Start')}
                  icon={<Play />}
                  disabled={busy}
                  question={t(
                    'experiments.start.confirm',
                    'Start “{name}”? Enrolled visitors get their arm from now on; arms, weights, coverage and audience are locked while it runs.',
                    { name: experiment.name }
                  )}
                  onConfirm={() =>
                    act(() => post(API.experimentAction(experiment.documentId, 'start')), t('experiments.started', 'Experiment started.'))
                  }
                />
              )}
              {experiment.status === 'running' && (
                <Confirmed
                  label={t('experiments.stop', 'Stop')}
                  icon={<Stop />}
                  variant="danger-light"
                  disabled={busy}
                  question={t(
                    'experiments.stop.confirm',
                    'Stop “{name}”? Everyone gets the usual content again and counting ends. A stopped experiment cannot restart.',
                    { name: experiment.name }
                  )}
                  onConfirm={() => act(() => post(API.experimentAction(experiment.documentId, 'stop')), t('experiments.stopped', 'Experiment stopped.'))}
                />
              )}
              {canPromote && (
                <Button startIcon={<Check />} disabled={busy} onClick={() => setPromoting(true)}>
                  {t('experiments.promote', 'Promote an arm')}
                </Button>
              )}
              {experiment.status !== 'running' && (
                <Confirmed
                  label={t('experiments.delete', 'Delete')}
                  icon={<Trash />}
                  variant="danger-light"
                  disabled={busy}
                  question={t('experiments.delete.confirm', 'Delete “{name}” and its counts? This cannot be undone.', { name: experiment.name })}
                  onConfirm={() =>
                    act(async () => {
                      await del(API.experiment(experiment.documentId));
                      navigate('..', { relative: 'path' });
                    }, t('experiments.deleted', 'Experiment deleted.'))
                  }
                />
              )}
            </Flex>
          ) : undefined
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Definition experiment={experiment} names={names} entryPath={entryPath} />
          <Results answer={answer.data} names={names} />
        </Flex>
      </Layouts.Content>
      {editing && settings && (
        <ExperimentDialog
          settings={settings}
          experiment={experiment}
          onClose={() => setEditing(false)}
          onCreated={() => {
            setEditing(false);
            toggleNotification({ type: 'success', message: t('experiments.saved', 'Draft saved.') });
            reload();
          }}
        />
      )}
      {promoting && (
        <PromoteDialog
          experiment={experiment}
          names={names}
          onClose={() => setPromoting(false)}
          onConfirm={(arm) => {
            setPromoting(false);
            return act(
              () => post(API.experimentAction(experiment.documentId, 'promote'), { arm }),
              t('experiments.promoted', 'Arm promoted: the base entry now holds its content as a draft in every locale. Review and publish it.')
            );
          }}
        />
      )}
    </Page.Main>
  );
};

/** A button that asks before it acts. */
const Confirmed = ({
  label,
  icon,
  question,
  disabled,
  variant,
  onConfirm,
}: {
  label: string;
  icon: React.ReactNode;
  question: string;
  disabled: boolean;
  variant?: 'danger-light';
  onConfirm(): void;
}) => (
  <Dialog.Root>
    <Dialog.Trigger>
      <Button startIcon={icon} variant={variant ?? 'default'} disabled={disabled}>
        {label}
      </Button>
    </Dialog.Trigger>
    <ConfirmDialog onConfirm={onConfirm} variant={variant ? 'danger' : 'default'}>
      {question}
    </ConfirmDialog>
  </Dialog.Root>
);

const Definition = ({ experiment, names, entryPath }: { experiment: Experiment; names: ArmNames; entryPath: string }) => {
  const t = useT();
  const { formatDate } = useIntl();
  const summary = useArmsSummary(names);
  const when = (value: string | null) => (value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
  const rows: Array<[string, React.ReactNode]> = [
    [t('experiments.base', 'Entry'), <Link tag={NavLink} to={entryPath}>{t('experiments.openEntry', 'Open the base entry')}</Link>],
    [t('experiments.arms', 'Arms'), summary(experiment.arms)],
    [t('experiments.coverage', 'Coverage in %'), `${Math.round(experiment.coverage * 1000) / 10}`],
    [t('experiments.goals', 'Goals'), experiment.goals.join(', ') || '—'],
    [t('variant.segments', 'Segments'), experiment.segments.join(', ') || '—'],
    [t('experiments.startedAt', 'Started'), when(experiment.startedAt)],
    [t('experiments.stoppedAt', 'Stopped'), when(experiment.stoppedAt)],
  ];
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
      <Flex direction="column" alignItems="stretch" gap={2}>
        {rows.map(([label, value]) => (
          <Typography key={label} variant="omega">
            <Typography variant="omega" fontWeight="bold">
              {label}:
            </Typography>{' '}
            {value}
          </Typography>
        ))}
      </Flex>
    </Box>
  );
};

const Results = ({ answer, names }: { answer: ExperimentResultsAnswer; names: ArmNames }) => {
  const t = useT();
  const { results } = answer;
  const [goal, setGoal] = React.useState(results.goals[0]);
  const verdict = judgeExperiment(results, goal);
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
      <Flex direction="column" alignItems="stretch" gap={4} data-testid="experiment-results">
        <Flex justifyContent="space-between" alignItems="flex-end" gap={4}>
          <Typography variant="delta" tag="h2">
            {t('experiments.results', 'Results')}
          </Typography>
          {results.goals.length > 1 && (
            <Field.Root name="goal">
              <Field.Label>{t('experiments.goal', 'Goal')}</Field.Label>
              <SingleSelect value={goal} onChange={(value) => setGoal(String(value))}>
                {results.goals.map((key) => (
                  <SingleSelectOption key={key} value={key}>
                    {key}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Field.Root>
          )}
        </Flex>
        <SampleRatioWarning results={results} names={names} />
        <ExperimentVerdict verdict={verdict} names={names} />
        {goal && <ExperimentChart results={results} goal={goal} names={names} />}
        {goal && <ArmsTable arms={results.arms} goal={goal} names={names} />}
        <Typography variant="pi" textColor="neutral600">
          {t(
            'experiments.estimator',
            'Visitors and converters are estimated with {name} (typical error ±{error}%); exposures and conversion events are exact.',
            { name: results.estimator.name, error: Math.round(results.estimator.relativeStandardError * 1000) / 10 }
          )}
        </Typography>
      </Flex>
    </Box>
  );
};

const ArmsTable = ({ arms, goal, names }: { arms: ArmResult[]; goal: string; names: ArmNames }) => {
  const t = useT();
  const { formatNumber } = useIntl();
  const percent = (value: number | null | undefined, digits = 1) =>
    value === null || value === undefined ? '—' : formatNumber(value, { style: 'percent', maximumFractionDigits: digits });
  return (
    <Table colCount={7} rowCount={arms.length + 1}>
      <Thead>
        <Tr>
          <Th><Typography variant="sigma">{t('experiments.table.arm', 'Arm')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.visitors', 'Visitors')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.exposures', 'Exposures')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.converters', 'Converted')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.rate', 'Rate (95% interval)')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.uplift', 'Uplift')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.table.probability', 'Probability better')}</Typography></Th>
        </Tr>
      </Thead>
      <Tbody>
        {arms.map((arm) => {
          const figures = arm.goals[goal];
          return (
            <Tr key={arm.key}>
              <Td>
                <Flex direction="column" alignItems="flex-start">
                  <Typography fontWeight="bold">{names.subject(arm)}</Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {arm.control
                      ? t('experiments.table.control', '{key}, {weight}%, control', { key: arm.key, weight: Math.round(arm.weight * 1000) / 10 })
                      : t('experiments.table.weight', '{key}, {weight}%', { key: arm.key, weight: Math.round(arm.weight * 1000) / 10 })}
                  </Typography>
                </Flex>
              </Td>
              <Td><Typography>{formatNumber(arm.visitors)}</Typography></Td>
              <Td><Typography>{formatNumber(arm.exposures)}</Typography></Td>
              <Td><Typography>{formatNumber(figures?.converters ?? 0)}</Typography></Td>
              <Td>
                <Typography>
                  {percent(figures?.rate)}
                  {figures?.interval ? ` (${percent(figures.interval[0])} – ${percent(figures.interval[1])})` : ''}
                </Typography>
              </Td>
              <Td><Typography>{arm.control ? '—' : percent(figures?.uplift, 0)}</Typography></Td>
              <Td><Typography>{arm.control ? '—' : percent(figures?.probabilityToBeatControl, 0)}</Typography></Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
};

const PromoteDialog = ({
  experiment,
  names,
  onClose,
  onConfirm,
}: {
  experiment: Experiment;
  names: ArmNames;
  onClose(): void;
  onConfirm(arm: string): void;
}) => {
  const t = useT();
  const [arm, setArm] = React.useState<string>();
  const chosen = experiment.arms.find((candidate) => candidate.key === arm);
  return (
    <Dialog.Root open onOpenChange={(open: boolean) => !open && onClose()}>
      <Dialog.Content>
        <Dialog.Header>{t('experiments.promote', 'Promote an arm')}</Dialog.Header>
        <Dialog.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Radio.Group value={arm} onValueChange={setArm} aria-label={t('experiments.promote.arm', 'Arm to promote')}>
              {experiment.arms.map((candidate) => (
                <Radio.Item key={candidate.key} value={candidate.key}>
                  {names.subject(candidate)}
                </Radio.Item>
              ))}
            </Radio.Group>
            {chosen && (
              <Typography variant="omega">
                {chosen.variant === null
                  ? t('experiments.promote.base', 'The base entry stays as it is, and the experiment stops.')
                  : t(
                      'experiments.promote.variant',
                      'The content of {arm} is copied into the base entry as a new draft in every locale, and the experiment stops. Published versions stay until you publish.',
                      { arm: names.object(chosen) }
                    )}
              </Typography>
            )}
          </Flex>
        </Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button variant="tertiary" fullWidth>
              {t('dialog.cancel', 'Cancel')}
            </Button>
          </Dialog.Cancel>
          <Button fullWidth disabled={!arm} onClick={() => arm && onConfirm(arm)}>
            {t('experiments.promote.confirm', 'Promote')}
          </Button>
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  );
};
