import { ACTIONS } from '../../permissions';
import { can } from './can';

/** What the admin panel needs to render: the configuration (never secrets), the simulator and previews. */
export default [
  {
    method: 'GET',
    path: '/settings',
    handler: 'settings.find',
    config: { policies: can(ACTIONS.read) },
  },
  {
    method: 'POST',
    path: '/simulate',
    handler: 'simulator.simulate',
    config: { policies: can(ACTIONS.read) },
  },
  {
    method: 'POST',
    path: '/preview',
    handler: 'simulator.preview',
    config: { policies: can(ACTIONS.read) },
  },
];
