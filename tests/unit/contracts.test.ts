import { ACTIONS as SERVER_ACTIONS, RBAC_ACTIONS } from '../../server/src/permissions';
import { ACTIONS, ADMIN_ROUTES, PUBLIC_ROUTES } from '../../shared/contracts';
import routes from '../../server/src/routes';
import controllers from '../../server/src/controllers';
import type { ConsentGrantAnswer, ConsentView, Explanation, ExperimentStanding, PurposeDescription } from '../../shared/contracts';
import type { ConsentView as ClientConsentView, Explanation as ClientExplanation, Grant, Purpose as ClientPurpose } from '../../client/src';

describe('the shared contract', () => {
  it('holds exactly the RBAC action uids the server registers and checks', () => {
    // A compile-time check too: a renamed uid on either side fails the typecheck.
    const serverConforms: typeof ACTIONS = SERVER_ACTIONS;
    expect(serverConforms).toEqual(ACTIONS);
    expect(RBAC_ACTIONS.map((action) => `plugin::${action.pluginName}.${action.uid}`).sort()).toEqual(Object.values(ACTIONS).sort());
  });
});

describe('the routes contract', () => {
  const declared = (type: 'admin' | 'content-api') =>
    routes[type].routes.map((route: { method: string; path: string; handler: string }) => route);
  const contract = (table: Record<string, { method: string; path: string }>) =>
    Object.values(table).map(({ method, path }) => `${method} ${path}`).sort();

  it.each([
    ['admin', ADMIN_ROUTES],
    ['content-api', PUBLIC_ROUTES],
  ] as const)('is what the server declares as its %s routes, each once, to a handler that exists', (type, table) => {
    const server = declared(type);
    expect(server.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(contract(table));
    for (const { handler } of server) {
      const [controller, action] = handler.split('.');
      expect({ handler, exists: typeof (controllers as Record<string, any>)[controller]?.({ strapi: {} })?.[action] }).toEqual({ handler, exists: 'function' });
    }
  });
});

describe('the browser client', () => {
  it('accepts every answer of the public routes as the contract shapes it', () => {
    // Compile-time checks (npm run typecheck covers the tests): a field the server renames or
    // retypes in shared/contracts/public.ts fails here before a site's frontend sees it.
    const purpose: ClientPurpose = {} as PurposeDescription;
    const grant: Grant = {} as ConsentGrantAnswer;
    const view: ClientConsentView = {} as ConsentView;
    const explanation: Omit<ClientExplanation, 'experiment'> = {} as Omit<Explanation, 'experiment'>;
    // Explain never answers the simulator's by-weight standing (a visitor with a token has an arm).
    const standing: ClientExplanation['experiment'] = {} as Exclude<ExperimentStanding, { enrolled: 'by-weight' }>;
    expect([purpose, grant, view, explanation, standing]).toHaveLength(5);
  });
});
