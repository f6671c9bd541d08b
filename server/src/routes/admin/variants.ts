import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

const READ = ACTIONS.read;
const MANAGE_VARIANTS = ACTIONS.manageVariants;

export default [
  {
    ...ADMIN_ROUTES.variantsOf,
    handler: 'variants.list',
    config: { policies: can(READ) },
  },
  {
    ...ADMIN_ROUTES.createVariant,
    handler: 'variants.create',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    ...ADMIN_ROUTES.updateVariant,
    handler: 'variants.update',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    ...ADMIN_ROUTES.reorderVariants,
    handler: 'variants.reorder',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    ...ADMIN_ROUTES.deleteVariant,
    handler: 'variants.remove',
    config: { policies: can(MANAGE_VARIANTS) },
  },
];
