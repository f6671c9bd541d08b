import { ACTIONS as SERVER_ACTIONS, RBAC_ACTIONS } from '../../server/src/permissions';
import { ACTIONS } from '../../shared/contracts';

describe('the shared contract', () => {
  it('holds exactly the RBAC action uids the server registers and checks', () => {
    // A compile-time check too: a renamed uid on either side fails the typecheck.
    const serverConforms: typeof ACTIONS = SERVER_ACTIONS;
    expect(serverConforms).toEqual(ACTIONS);
    expect(RBAC_ACTIONS.map((action) => `plugin::${action.pluginName}.${action.uid}`).sort()).toEqual(Object.values(ACTIONS).sort());
  });
});
