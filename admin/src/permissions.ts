import * as React from 'react';
import { useAuth } from '@strapi/strapi/admin';
import { ACTIONS } from '../../shared/contracts/permissions';

export { ACTIONS };

const only = (action: string) => [{ action, subject: null }];

/** Permission lists for menu links and `Page.Protect`. */
export const PERMISSIONS = {
  read: only(ACTIONS.read),
  manageVariants: only(ACTIONS.manageVariants),
  manageSegments: only(ACTIONS.manageSegments),
  readConsentRecords: only(ACTIONS.readConsentRecords),
  settings: only(ACTIONS.settings),
};

export type PluginAbility = Record<keyof typeof ACTIONS, boolean>;

/**
 * What the signed-in admin may do in the plugin. `useRBAC` names its answers after the last
 * segment of each uid (`…variants.manage` and `…segments.manage` both become `canManage`), so the
 * uids are matched here against the user's permissions directly.
 */
export function usePluginPermissions(): PluginAbility {
  const permissions = useAuth('personalization', (state) => state.permissions);
  return React.useMemo(() => {
    const held = new Set((permissions ?? []).map((permission) => permission.action));
    return {
      read: held.has(ACTIONS.read),
      manageVariants: held.has(ACTIONS.manageVariants),
      manageSegments: held.has(ACTIONS.manageSegments),
      readConsentRecords: held.has(ACTIONS.readConsentRecords),
      settings: held.has(ACTIONS.settings),
    };
  }, [permissions]);
}
