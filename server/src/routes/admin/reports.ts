import { ACTIONS } from '../../permissions';
import { can } from './can';

/** How personalized entries stand and how often their variants are served: reading only. */
export default [
  {
    method: 'GET',
    path: '/served',
    handler: 'reports.served',
    config: { policies: can(ACTIONS.read) },
  },
  {
    method: 'GET',
    path: '/overview',
    handler: 'reports.overview',
    config: { policies: can(ACTIONS.read) },
  },
];
