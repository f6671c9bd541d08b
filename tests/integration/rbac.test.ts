import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi, adminToken } from '../helpers/strapi';

const ARTICLE = 'api::article.article';
const HOMEPAGE = 'api::homepage.homepage';
const VARIANT = 'plugin::personalization.variant';
const SEGMENT = 'plugin::personalization.segment';
const PASSWORD = 'Editor-test-123';

const ARTICLE_FIELDS = ['title', 'slug', 'summary', 'body', 'cta.label', 'cta.url', 'cover', 'author'];
const HOMEPAGE_FIELDS = ['headline', 'intro', 'featured'];

interface Route {
  method: string;
  path: string;
  /** The RBAC actions its admin::hasPermissions policy asks for. */
  actions: string[];
}

/** Content Manager permissions on one type, for the given actions (read, create, update, delete). */
function contentManager(uid: string, fields: string[], actions: string[]) {
  return actions.map((action) => ({
    action: `plugin::content-manager.explorer.${action}`,
    subject: uid,
    properties: action === 'delete' ? { locales: ['en'] } : { fields, locales: ['en'] },
    conditions: [],
  }));
}

function plugin(...actions: string[]) {
  return actions.map((action) => ({ action: `plugin::personalization.${action}`, subject: null, properties: {}, conditions: [] }));
}

describe('RBAC on the plugin admin API', () => {
  let strapi: Core.Strapi;
  let superAdmin: string;
  let baseId: string;
  let homepageId: string;
  let variant: { documentId: string; key: string };
  let segment: { documentId: string; key: string };
  let users = 0;

  const http = () => request(strapi.server.httpServer);
  const as = (token: string, test: request.Test) => test.set('Authorization', `Bearer ${token}`);

  /** A new admin user whose only role holds exactly these permissions; returns its JWT. */
  async function userWith(permissions: object[]): Promise<string> {
    users += 1;
    const role = await strapi.admin.services.role.create({ name: `Role ${users}`, description: 'test role' });
    await strapi.admin.services.role.assignPermissions(role.id, permissions);
    const email = `editor${users}@example.com`;
    await strapi.admin.services.user.create({
      email,
      firstname: 'Edi',
      lastname: `Tor ${users}`,
      password: PASSWORD,
      isActive: true,
      roles: [role.id],
    });
    const login = await http().post('/admin/login').send({ email, password: PASSWORD }).expect(200);
    return login.body.data.token;
  }

  /** Every admin route the plugin registers, as mounted under /personalization. */
  function pluginAdminRoutes(): Route[] {
    const routes = (strapi.plugin('personalization') as any).routes.admin.routes as any[];
    return routes.map((route) => ({
      method: route.method,
      path: `/personalization${route.path}`,
      actions: (route.config?.policies ?? []).flatMap((policy: any) => policy?.config?.actions ?? []),
    }));
  }

  /** A request to the route with real ids and a valid body, so only a policy can stop it. */
  function call(token: string, route: Route): request.Test {
    const isSegments = route.path.startsWith('/personalization/segments');
    const path = route.path
      .replace(':contentType', ARTICLE)
      .replace(':baseDocumentId', baseId)
      .replace(':id', isSegments ? segment.documentId : variant.documentId)
      .replace(/:[A-Za-z]+/g, 'x');
    const test = as(token, (http() as any)[route.method.toLowerCase()](path));
    if (route.method === 'POST' && isSegments) return test.send({ name: 'New', key: 'new-segment', rule: true });
    if (route.method === 'POST') return test.send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'New', key: 'new-variant' });
    if (route.path.endsWith('/order')) return test.send({ keys: [variant.key] });
    if (route.method === 'PUT') return test.send({ name: 'Renamed' });
    return test;
  }

  async function snapshot() {
    return {
      articles: await strapi.db.query(ARTICLE).count(),
      variants: await strapi.db.query(VARIANT).findMany({ select: ['key', 'name', 'priority'], orderBy: { id: 'asc' } }),
      segments: await strapi.db.query(SEGMENT).findMany({ select: ['key', 'name'], orderBy: { id: 'asc' } }),
    };
  }

  /** Calls each route as `token` and expects `status` from every one, with nothing written. */
  async function expectEveryRefused(token: string, routes: Route[], status: 401 | 403) {
    const before = await snapshot();
    for (const route of routes) {
      const response = await call(token, route);
      expect([route.method, route.path, response.status]).toEqual([route.method, route.path, status]);
    }
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    strapi = await startStrapi();
    superAdmin = await adminToken(strapi);
    const base = await strapi.documents(ARTICLE).create({ locale: 'en', data: { title: 'Generic', slug: 'generic' } } as any);
    baseId = base.documentId;
    homepageId = (await strapi.documents(HOMEPAGE).create({ locale: 'en', data: { headline: 'Welcome' } } as any)).documentId;
    segment = (
      await as(superAdmin, http().post('/personalization/segments')).send({ name: 'Outdoor', key: 'outdoor-fans', rule: { in: ['outdoor', { var: 'interests' }] } }).expect(201)
    ).body.data;
    variant = (
      await as(superAdmin, http().post('/personalization/variants'))
        .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'Outdoor', key: 'outdoor', segments: ['outdoor-fans'] })
        .expect(201)
    ).body.data;
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('refuses every plugin admin route without a login', async () => {
    const routes = pluginAdminRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(10);
    await expectEveryRefused('not-a-jwt', routes, 401);
  });

  it('refuses every plugin admin route to an editor without plugin permissions', async () => {
    const editor = await userWith(contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'update', 'delete']));
    // The login works: the Content Manager lets the editor in.
    await as(editor, http().get(`/content-manager/collection-types/${ARTICLE}`)).expect(200);

    const routes = pluginAdminRoutes();
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'GET /personalization/variants/:contentType/:baseDocumentId',
        'POST /personalization/variants',
        'PUT /personalization/variants/:id',
        'PUT /personalization/variants/:contentType/:baseDocumentId/order',
        'DELETE /personalization/variants/:id',
        'GET /personalization/segments',
        'GET /personalization/segments/:id',
        'POST /personalization/segments',
        'PUT /personalization/segments/:id',
        'DELETE /personalization/segments/:id',
      ])
    );
    await expectEveryRefused(editor, routes, 403);
  });

  it('lets a reader list variants and segments but change nothing', async () => {
    const reader = await userWith([...plugin('read'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'update', 'delete'])]);
    const variants = await as(reader, http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200);
    expect(variants.body.data.map((record: any) => record.key)).toEqual(['outdoor']);
    const segments = await as(reader, http().get('/personalization/segments')).expect(200);
    expect(segments.body.data.map((record: any) => [record.key, record.usage])).toEqual([['outdoor-fans', 1]]);
    await as(reader, http().get(`/personalization/segments/${segment.documentId}`)).expect(200);

    const writes = pluginAdminRoutes().filter((route) => !route.actions.includes('plugin::personalization.read'));
    expect(writes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'POST /personalization/variants',
        'PUT /personalization/variants/:id',
        'PUT /personalization/variants/:contentType/:baseDocumentId/order',
        'DELETE /personalization/variants/:id',
        'POST /personalization/segments',
        'PUT /personalization/segments/:id',
        'DELETE /personalization/segments/:id',
      ])
    );
    await expectEveryRefused(reader, writes, 403);
  });

  it('refuses to create a variant to a variant manager who may not create entries of that type', async () => {
    const manager = await userWith([
      ...plugin('read', 'variants.manage'),
      ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'update']),
      ...contentManager(HOMEPAGE, HOMEPAGE_FIELDS, ['read', 'create', 'update', 'delete']),
    ]);
    const before = await snapshot();
    const refused = await as(manager, http().post('/personalization/variants'))
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'New', key: 'new-variant' })
      .expect(403);
    expect(refused.body.error.message).toContain(ARTICLE);
    expect(await snapshot()).toEqual(before);

    // The same user manages existing variants, and creates variants of a type it may create.
    await as(manager, http().put(`/personalization/variants/${variant.documentId}`)).send({ name: 'Outdoor people' }).expect(200);
    const homepage = await as(manager, http().post('/personalization/variants'))
      .send({ contentType: HOMEPAGE, baseDocumentId: homepageId, name: 'Evening', key: 'evening', kind: 'mass' })
      .expect(201);
    await as(manager, http().delete(`/personalization/variants/${homepage.body.data.documentId}`)).expect(200);
    // Segments stay out of reach.
    await as(manager, http().post('/personalization/segments')).send({ name: 'New', key: 'new-segment', rule: true }).expect(403);
  });

  it('lets a variant manager with Content Manager create rights create a variant', async () => {
    const manager = await userWith([...plugin('read', 'variants.manage'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'update', 'delete'])]);
    const created = await as(manager, http().post('/personalization/variants'))
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'Winter', key: 'winter', kind: 'mass' })
      .expect(201);
    expect(await strapi.db.query(ARTICLE).count({ where: { documentId: created.body.data.variantDocumentId } })).toBe(1);
    await as(manager, http().delete(`/personalization/variants/${created.body.data.documentId}`)).expect(200);
  });

  it('refuses to change or order a variant to a variant manager who may not update entries of that type', async () => {
    const manager = await userWith([...plugin('read', 'variants.manage'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'delete'])]);
    const before = await snapshot();
    const renamed = await as(manager, http().put(`/personalization/variants/${variant.documentId}`)).send({ name: 'Renamed' }).expect(403);
    expect(renamed.body.error.message).toContain(`update ${ARTICLE}`);
    await as(manager, http().put(`/personalization/variants/${variant.documentId}`)).send({ enabled: false }).expect(403);
    await as(manager, http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: [variant.key] }).expect(403);
    expect(await snapshot()).toEqual(before);
    expect((await strapi.db.query(VARIANT).findOne({ where: { documentId: variant.documentId } })).enabled).toBe(true);
    // An unknown variant is still a 404, not a 403.
    await as(manager, http().put('/personalization/variants/nope123')).send({ name: 'Renamed' }).expect(404);
  });

  it('refuses to delete a variant to a variant manager who may not delete entries of that type', async () => {
    const manager = await userWith([...plugin('read', 'variants.manage'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'update'])]);
    const record = await strapi.db.query(VARIANT).findOne({ where: { documentId: variant.documentId } });
    const documentRows = await strapi.db.query(ARTICLE).count({ where: { documentId: record.variantDocumentId } });
    expect(documentRows).toBeGreaterThan(0);
    const before = await snapshot();

    const refused = await as(manager, http().delete(`/personalization/variants/${variant.documentId}`)).expect(403);
    expect(refused.body.error.message).toContain(`delete ${ARTICLE}`);
    expect(await snapshot()).toEqual(before);
    expect(await strapi.db.query(VARIANT).count({ where: { documentId: variant.documentId } })).toBe(1);
    expect(await strapi.db.query(ARTICLE).count({ where: { documentId: record.variantDocumentId } })).toBe(documentRows);

    // The same user may change it: update is the permission it holds.
    await as(manager, http().put(`/personalization/variants/${variant.documentId}`)).send({ name: 'Outdoor lovers' }).expect(200);
  });

  it('lets a variant manager with Content Manager update and delete rights change and delete a variant', async () => {
    const manager = await userWith([...plugin('read', 'variants.manage'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create', 'update', 'delete'])]);
    const created = await as(manager, http().post('/personalization/variants'))
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'Spring', key: 'spring', kind: 'mass' })
      .expect(201);
    const updated = await as(manager, http().put(`/personalization/variants/${created.body.data.documentId}`)).send({ name: 'Early spring' }).expect(200);
    expect(updated.body.data.name).toBe('Early spring');
    await as(manager, http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: ['spring', variant.key] }).expect(200);
    await as(manager, http().delete(`/personalization/variants/${created.body.data.documentId}`)).expect(200);
    expect(await strapi.db.query(VARIANT).count({ where: { documentId: created.body.data.documentId } })).toBe(0);
    expect(await strapi.db.query(ARTICLE).count({ where: { documentId: created.body.data.variantDocumentId } })).toBe(0);
  });

  it('keeps the settings behind the Settings action: a reader gets the catalogue but not the settings', async () => {
    const reader = await userWith([...plugin('read'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read'])]);
    await as(reader, http().get('/personalization/settings')).expect(403);
    const catalogue = await as(reader, http().get('/personalization/catalogue')).expect(200);
    expect(catalogue.body.data.purposes.map((purpose: { key: string }) => purpose.key)).toContain('personalization');
    expect(catalogue.body.data.contentTypes.map((type: { uid: string }) => type.uid)).toContain(ARTICLE);
    expect(catalogue.body.data).not.toHaveProperty('token');
    expect(catalogue.body.data).not.toHaveProperty('policyVersion');

    const administrator = await userWith(plugin('settings'));
    const found = await as(administrator, http().get('/personalization/settings')).expect(200);
    expect(found.body.data.token).toEqual(expect.objectContaining({ secretConfigured: expect.any(Boolean) }));
    // Settings alone is not read: the editing tools stay closed.
    await as(administrator, http().get('/personalization/catalogue')).expect(403);
    await as(administrator, http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(403);

    const route = pluginAdminRoutes().find((candidate) => candidate.method === 'GET' && candidate.path === '/personalization/settings');
    expect(route?.actions).toEqual(['plugin::personalization.settings']);
  });

  it('lets a segment manager manage segments but not variants', async () => {
    const manager = await userWith([...plugin('read', 'segments.manage'), ...contentManager(ARTICLE, ARTICLE_FIELDS, ['read', 'create'])]);
    const created = await as(manager, http().post('/personalization/segments')).send({ name: 'Evenings', key: 'evenings', rule: { '>=': [{ var: 'hour' }, 18] } }).expect(201);
    await as(manager, http().put(`/personalization/segments/${created.body.data.documentId}`)).send({ name: 'Late evenings' }).expect(200);
    await as(manager, http().delete(`/personalization/segments/${created.body.data.documentId}`)).expect(200);

    const before = await snapshot();
    await as(manager, http().post('/personalization/variants'))
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'New', key: 'new-variant' })
      .expect(403);
    await as(manager, http().delete(`/personalization/variants/${variant.documentId}`)).expect(403);
    expect(await snapshot()).toEqual(before);
  });
});
