/** RBAC action uids of the plugin: admin routes check them, the admin menu and pages ask for them. */
export const ACTIONS = {
  read: 'plugin::personalization.read',
  manageVariants: 'plugin::personalization.variants.manage',
  manageSegments: 'plugin::personalization.segments.manage',
  manageExperiments: 'plugin::personalization.experiments.manage',
  readConsentRecords: 'plugin::personalization.consent-records.read',
  settings: 'plugin::personalization.settings',
} as const;

export type ActionName = keyof typeof ACTIONS;
export type ActionUid = (typeof ACTIONS)[ActionName];
