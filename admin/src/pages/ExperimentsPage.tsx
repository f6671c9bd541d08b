/** Experiments: every experiment of every base entry, creating one, and each one's results on its own page. */
import * as React from 'react';
import { Button, EmptyStateLayout, Flex, Link, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { NavLink, Route, Routes, useNavigate, useSearchParams } from 'react-router-dom';
import { API, useResource, useSettings, type Experiment, type PluginSettings } from '../api';
import { EXPERIMENTS_PATH, ExperimentStatusBadge, useArmNames, useArmsSummary } from '../components/ExperimentArms';
import { ExperimentDialog } from '../components/ExperimentDialog';
import { useT } from '../hooks/useT';
import { PERMISSIONS, usePluginPermissions } from '../permissions';
import { ExperimentsDetailPage } from './ExperimentsDetailPage';

export const ExperimentsPage = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <Routes>
      <Route index element={<ExperimentsListPage />} />
      <Route path=":id" element={<ExperimentsDetailPage />} />
      <Route path="*" element={<Page.Error />} />
    </Routes>
  </Page.Protect>
);

const ExperimentsListPage = () => {
  const t = useT();
  const can = usePluginPermissions();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const [search, setSearch] = useSearchParams();
  const { data: settings } = useSettings();
  const experiments = useResource<Experiment[]>(API.experiments);
  const title = t('experiments.title', 'Experiments');
  // The side panel opens the dialog on its entry with ?contentType=…&baseDocumentId=….
  const fromPanel = search.get('contentType') && search.get('baseDocumentId')
    ? { contentType: search.get('contentType')!, baseDocumentId: search.get('baseDocumentId')! }
    : undefined;
  const [creating, setCreating] = React.useState(Boolean(fromPanel));

  const create = can.manageExperiments ? (
    <Button startIcon={<Plus />} onClick={() => setCreating(true)}>
      {t('experiments.create', 'Create experiment')}
    </Button>
  ) : undefined;

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={t(
          'experiments.subtitle',
          'Compare a base entry with its variants on visitors who grant measurement. Counts are aggregate; nothing is stored per visitor.'
        )}
        primaryAction={create}
      />
      <Layouts.Content>
        {experiments.isLoading && !experiments.data && <Loader />}
        {experiments.problem && <Typography textColor="danger600">{experiments.problem.message}</Typography>}
        {experiments.data && experiments.data.length === 0 && (
          <EmptyStateLayout content={t('experiments.empty', 'No experiments yet. Create one to learn which variant works.')} action={create} />
        )}
        {settings && experiments.data && experiments.data.length > 0 && (
          <ExperimentsTable experiments={experiments.data} settings={settings} />
        )}
      </Layouts.Content>
      {creating && settings && (
        <ExperimentDialog
          settings={settings}
          base={fromPanel}
          onClose={() => {
            setCreating(false);
            if (fromPanel) setSearch({});
          }}
          onCreated={(experiment) => {
            toggleNotification({
              type: 'success',
              message: t('experiments.created', 'Experiment “{name}” created as a draft. Start it when the variants are published.', {
                name: experiment.name,
              }),
            });
            navigate(`${EXPERIMENTS_PATH}/${experiment.documentId}`);
          }}
        />
      )}
    </Page.Main>
  );
};

const ExperimentsTable = ({ experiments, settings }: { experiments: Experiment[]; settings: PluginSettings }) => {
  const t = useT();
  const types = new Map(settings.contentTypes.map((type) => [type.uid, type.displayName]));
  return (
    <Table colCount={5} rowCount={experiments.length + 1}>
      <Thead>
        <Tr>
          <Th><Typography variant="sigma">{t('experiments.name', 'Name')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.base', 'Entry')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.status', 'Status')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.arms', 'Arms')}</Typography></Th>
          <Th><Typography variant="sigma">{t('experiments.goals', 'Goals')}</Typography></Th>
        </Tr>
      </Thead>
      <Tbody>
        {experiments.map((experiment) => (
          <ExperimentRow key={experiment.documentId} experiment={experiment} typeName={types.get(experiment.contentType) ?? experiment.contentType} />
        ))}
      </Tbody>
    </Table>
  );
};

const ExperimentRow = ({ experiment, typeName }: { experiment: Experiment; typeName: string }) => {
  const names = useArmNames(undefined);
  const summary = useArmsSummary(names);
  return (
    <Tr>
      <Td>
        <Flex direction="column" alignItems="flex-start">
          <Link tag={NavLink} to={`${EXPERIMENTS_PATH}/${experiment.documentId}`}>
            {experiment.name}
          </Link>
          <Typography variant="pi" textColor="neutral600">
            {experiment.key}
          </Typography>
        </Flex>
      </Td>
      <Td>
        <Flex direction="column" alignItems="flex-start">
          <Typography>{typeName}</Typography>
          <Typography variant="pi" textColor="neutral600">
            {experiment.baseDocumentId}
          </Typography>
        </Flex>
      </Td>
      <Td>
        <ExperimentStatusBadge experiment={experiment} />
      </Td>
      <Td>
        <Typography>{summary(experiment.arms)}</Typography>
      </Td>
      <Td>
        <Typography>{experiment.goals.join(', ')}</Typography>
      </Td>
    </Tr>
  );
};
