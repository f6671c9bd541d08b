/** Mirrors the server's RBAC action uids (server/src/permissions.ts). */
export const PERMISSIONS = {
  read: [{ action: 'plugin::personalization.read', subject: null }],
  settings: [{ action: 'plugin::personalization.settings', subject: null }],
};
