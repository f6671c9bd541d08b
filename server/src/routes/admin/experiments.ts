import { ACTIONS } from '../../permissions';
import { can } from './can';

const READ = ACTIONS.read;
const MANAGE_EXPERIMENTS = ACTIONS.manageExperiments;

export default [
  { method: 'GET', path: '/experiments', handler: 'experiments.list', config: { policies: can(READ) } },
  { method: 'GET', path: '/experiments/:id', handler: 'experiments.findOne', config: { policies: can(READ) } },
  { method: 'GET', path: '/experiments/:id/results', handler: 'experiments.results', config: { policies: can(READ) } },
  { method: 'POST', path: '/experiments', handler: 'experiments.create', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { method: 'PUT', path: '/experiments/:id', handler: 'experiments.update', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { method: 'DELETE', path: '/experiments/:id', handler: 'experiments.remove', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { method: 'POST', path: '/experiments/:id/start', handler: 'experiments.start', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { method: 'POST', path: '/experiments/:id/stop', handler: 'experiments.stop', config: { policies: can(MANAGE_EXPERIMENTS) } },
  { method: 'POST', path: '/experiments/:id/promote', handler: 'experiments.promote', config: { policies: can(MANAGE_EXPERIMENTS) } },
];
