import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

export default [
  {
    ...ADMIN_ROUTES.reconcileReport,
    handler: 'reconcile.report',
    config: { policies: can(ACTIONS.read) },
  },
  {
    ...ADMIN_ROUTES.reconcile,
    handler: 'reconcile.run',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    ...ADMIN_ROUTES.relinkAll,
    handler: 'reconcile.relinkAll',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    ...ADMIN_ROUTES.relink,
    handler: 'reconcile.relink',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    ...ADMIN_ROUTES.dismissDetached,
    handler: 'reconcile.dismiss',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    ...ADMIN_ROUTES.release,
    handler: 'reconcile.release',
    config: { policies: can(ACTIONS.manageVariants) },
  },
];
