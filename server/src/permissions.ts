/** RBAC actions of the plugin; admin routes and the admin menu check these uids. */
export const ACTIONS = {
  read: 'plugin::personalization.read',
  manageVariants: 'plugin::personalization.variants.manage',
  manageSegments: 'plugin::personalization.segments.manage',
  manageExperiments: 'plugin::personalization.experiments.manage',
  readConsentRecords: 'plugin::personalization.consent-records.read',
  settings: 'plugin::personalization.settings',
} as const;

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
