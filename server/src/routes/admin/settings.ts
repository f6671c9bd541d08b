import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

/**
 * What the admin panel needs to render: the configuration (never secrets), the simulator and previews.
 * Token status and policy version are settings; editors who only read get the catalogue.
 */
export default [
  {
    ...ADMIN_ROUTES.settings,
    handler: 'settings.find',
    config: { policies: can(ACTIONS.settings) },
  },
  {
    ...ADMIN_ROUTES.catalogue,
    handler: 'settings.catalogue',
    config: { policies: can(ACTIONS.read) },
  },
  {
    ...ADMIN_ROUTES.simulate,
    handler: 'simulator.simulate',
    config: { policies: can(ACTIONS.read) },
  },
  {
    ...ADMIN_ROUTES.preview,
    handler: 'simulator.preview',
    config: { policies: can(ACTIONS.read) },
  },
];
