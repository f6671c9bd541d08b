import * as React from 'react';
import { useAuth } from '@strapi/strapi/admin';
import { ACTIONS } from '../../shared/contracts/permissions';

export { ACTIONS };

const only = (action: string) => [{ action, subject: null }];

type ActionName = keyof typeof ACTIONS;
const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/** Permission lists for menu links and `Page.Protect`, one per action of the contract. */
export const PERMISSIONS = Object.fromEntries(ACTION_NAMES.map((name) => [name, only(ACTIONS[name])])) as Record<
  ActionName,
  ReturnType<typeof only>
>;

export type PluginAbility = Record<ActionName, boolean>;

/**
 * What the signed-in admin may do in the plugin. `useRBAC` names its answers after the last
 * segment of each uid (`…variants.manage` and `…segments.manage` both become `canManage`), so the
 * uids are matched here against the user's permissions directly.
 */
export function usePluginPermissions(): PluginAbility {
  const permissions = useAuth('personalization', (state) => state.permissions);
  return React.useMemo(() => {
    const held = new Set((permissions ?? []).map((permission) => permission.action));
    return Object.fromEntries(ACTION_NAMES.map((name) => [name, held.has(ACTIONS[name])])) as PluginAbility;
  }, [permissions]);
}
