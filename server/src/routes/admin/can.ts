/** The admin policy every plugin admin route uses: the user's role must hold these actions. */
export const can = (...actions: string[]) => [{ name: 'admin::hasPermissions', config: { actions } }];
