import { ACTIONS } from '../../permissions';
import { can } from './can';

/**
 * What the admin panel needs to render: the configuration (never secrets), the simulator and previews.
 * Token status and policy version are settings; editors who only read get the catalogue.
 */
export default [
  {
    method: 'GET',
    path: '/settings',
    handler: 'settings.find',
    config: { policies: can(ACTIONS.settings) },
  },
  {
    method: 'GET',
    path: '/catalogue',
    handler: 'settings.catalogue',
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
