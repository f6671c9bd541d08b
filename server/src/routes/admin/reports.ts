import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

/** How personalized entries stand and how often their variants are served: reading only. */
export default [
  {
    ...ADMIN_ROUTES.served,
    handler: 'reports.served',
    config: { policies: can(ACTIONS.read) },
  },
  {
    ...ADMIN_ROUTES.overview,
    handler: 'reports.overview',
    config: { policies: can(ACTIONS.read) },
  },
];
