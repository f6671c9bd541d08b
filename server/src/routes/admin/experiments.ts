import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

const READ = ACTIONS.read;
const MANAGE_EXPERIMENTS = ACTIONS.manageExperiments;

export default [
  { ...ADMIN_ROUTES.experiments, handler: 'experiments.list', config: { policies: can(READ) } },
  { ...ADMIN_ROUTES.experiment, handler: 'experiments.findOne', config: { policies: can(READ) } },
  { ...ADMIN_ROUTES.experimentResults, handler: 'experiments.results', config: { policies: can(READ) } },
  { ...ADMIN_ROUTES.createExperiment, handler: 'experiments.create', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { ...ADMIN_ROUTES.updateExperiment, handler: 'experiments.update', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { ...ADMIN_ROUTES.deleteExperiment, handler: 'experiments.remove', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { ...ADMIN_ROUTES.startExperiment, handler: 'experiments.start', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { ...ADMIN_ROUTES.stopExperiment, handler: 'experiments.stop', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { ...ADMIN_ROUTES.promoteExperiment, handler: 'experiments.promote', config: { policies: can(MANAGE_EXPERIMENTS) } },
];
