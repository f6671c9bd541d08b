import { ACTIONS } from '../../shared/contracts/permissions';

/** RBAC actions of the plugin: the shared contract's uids, which admin routes and the admin menu check. */
export { ACTIONS };

/** How Strapi lists them in the roles editor: one per uid of ACTIONS. */
export const RBAC_ACTIONS = [
  { section: 'plugins', displayName: 'Read variants, segments and the simulator', uid: 'read' },
  { section: 'plugins', displayName: 'Create, edit, order and delete variants', uid: 'variants.manage' },
  { section: 'plugins', displayName: 'Create, edit and delete segments', uid: 'segments.manage' },
  { section: 'plugins', displayName: 'Create, start, stop, promote and delete experiments', uid: 'experiments.manage' },
  { section: 'plugins', displayName: 'Read and export consent records', uid: 'consent-records.read' },
  {
    section: 'settings',
    category: 'personalization',
    displayName: 'Read personalization settings',
    uid: 'settings',
  },
].map((action) => ({ ...action, pluginName: 'personalization' }));
