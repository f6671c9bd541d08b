import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { adminToken, grantPublic, startStrapi, stopStrapi } from '../helpers/strapi';
import { publishVariantDocument, publishedDocument } from '../helpers/content';

const ARTICLE = 'api::article.article';
const OUTDOOR = { contains: [{ var: 'interests' }, 'outdoor'] };
const SECRET = 'integration-secret-that-must-never-leave-0123456789';

describe('admin API for the settings and the simulator', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test, token = admin) => test.set('Authorization', `Bearer ${token}`);
  const simulate = (body: Record<string, unknown>) => as(http().post('/personalization/simulate')).send({ contentType: ARTICLE, ...body });

  /** A published article whose variants are published too, with the given titles. */
  const article = (title: string) => publishedDocument(strapi, ARTICLE, { title, slug: title.toLowerCase().replace(/\W+/g, '-') });

  async function variant(settings: Record<string, unknown>, title: string) {
    const record = await strapi.plugin('personalization').service('variants').create({ contentType: ARTICLE, baseDocumentId: baseId, ...settings });
    await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data: () => ({ title }) });
    return record;
  }

  beforeAll(async () => {
    strapi = await startStrapi({ config: { tokenSecret: SECRET, issuers: [{ issuer: 'https://cmp.example', keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] }] } });
    admin = await adminToken(strapi);
    await grantPublic(strapi, [`${ARTICLE}.findOne`]);
    baseId = await article('Generic');
    await variant({ name: 'Weekend campaign', key: 'weekend', kind: 'mass', audience: { in: [{ var: 'weekday' }, [0, 6]] } }, 'Weekend title');
    await variant({ name: 'Outdoor fans', key: 'outdoor', kind: 'targeted', audience: OUTDOOR }, 'Outdoor title');
    await article('Without variants');
  });

  afterAll(() => stopStrapi(strapi));

  describe('GET /personalization/settings', () => {
    it('describes purposes, catalogue, enabled types, locales, time zone and token status', async () => {
      const { body } = await as(http().get('/personalization/settings')).expect(200);
      expect(body.data.purposes.map((purpose: { key: string }) => purpose.key)).toEqual([
        'necessary',
        'functional',
        'personalization',
        'measurement',
        'marketing',
      ]);
      expect(body.data.attributes).toContainEqual(
        expect.objectContaining({ name: 'interests', type: 'string[]', source: 'token', purpose: 'personalization', description: null, title: 'interests', personal: true })
      );
      expect(body.data.attributes).toContainEqual(expect.objectContaining({ name: 'hour', type: 'number', source: 'builtin', purpose: null }));
      expect(body.data.contentTypes).toContainEqual({
        uid: ARTICLE,
        displayName: 'Article',
        kind: 'collectionType',
        localized: true,
        draftAndPublish: true,
        mainField: 'title',
      });
      expect(body.data.locales).toContainEqual({ code: 'en', name: expect.any(String), isDefault: true });
      expect(body.data.timeZone).toBe('Europe/Berlin');
      expect(body.data.token).toEqual({ secretConfigured: true, ttlSeconds: 15552000, issuers: ['https://cmp.example'] });
    });

    it('never contains the token secret or issuer keys', async () => {
      const { text } = await as(http().get('/personalization/settings')).expect(200);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo');
    });

    it('needs an admin', async () => {
      await http().get('/personalization/settings').expect(401);
    });
  });

  describe('POST /personalization/simulate', () => {
    const SATURDAY_NOON = '2026-01-03T11:00:00.000Z';
    const TUESDAY_NOON = '2026-01-06T11:00:00.000Z';

    it('serves the targeted variant to a visitor whose consent and attributes match', async () => {
      const { body } = await simulate({ documentIds: [baseId], purposes: ['personalization'], attributes: { interests: ['outdoor'] }, at: TUESDAY_NOON }).expect(200);
      expect(body.data.context).toMatchObject({ purposes: ['necessary', 'personalization'], attributes: ['interests'], weekday: 2, hour: 12 });
      expect(body.data.entries).toEqual([
        {
          documentId: baseId,
          title: 'Generic',
          served: expect.objectContaining({ variant: 'outdoor', name: 'Outdoor fans', kind: 'targeted', reason: 'targeted-match' }),
          skipped: [],
          read: ['interests'],
        },
      ]);
    });

    it('gives a visitor without consent the mass variant in its window, naming the skipped one', async () => {
      const { body } = await simulate({ documentIds: [baseId], purposes: [], attributes: { interests: ['outdoor'] }, at: SATURDAY_NOON }).expect(200);
      const [entry] = body.data.entries;
      expect(entry.served).toMatchObject({ variant: 'weekend', kind: 'mass', reason: 'mass-match' });
      expect(entry.skipped).toEqual([{ variant: 'outdoor', name: 'Outdoor fans', kind: 'targeted', reason: 'consent-missing', missingPurposes: ['personalization'] }]);
      expect(body.data.context.ignored).toEqual([{ name: 'interests', reason: 'purpose-not-granted' }]);
    });

    it('gives the base entry when nothing applies, with the reason', async () => {
      const { body } = await simulate({ documentIds: [baseId], purposes: [], at: TUESDAY_NOON }).expect(200);
      expect(body.data.entries[0].served).toMatchObject({ variant: null, kind: 'base', reason: 'no-token' });
    });

    it('agrees with delivery for the same visitor', async () => {
      const grant = await http().post('/api/personalization/consent').send({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(201);
      const delivered = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', grant.body.data.token).expect(200);
      const { body } = await simulate({ documentIds: [baseId], purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(200);
      expect(body.data.entries[0].served).toMatchObject(delivered.body.data.personalization);
    });

    it('lists published base entries, never variants, when no entry is named', async () => {
      const { body } = await simulate({ purposes: [] }).expect(200);
      expect(body.data.entries.map((entry: { title: string }) => entry.title)).toEqual(['Generic', 'Without variants']);
      expect(body.data.entries[1].served).toMatchObject({ kind: 'base', reason: 'no-variants' });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an unknown purpose', { purposes: ['spying'] }, 'purposes[0]'],
      ['a type without personalization', { contentType: 'api::author.author' }, 'contentType'],
      ['a malformed date', { at: 'tomorrow' }, 'at'],
      ['an unknown field', { audience: {} }, 'audience'],
    ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
      const response = await simulate(body).expect(400);
      expect(response.body.error.details.field).toBe(field);
    });
  });

  describe('POST /personalization/preview', () => {
    beforeAll(async () => {
      // The preview asks the server's own content API, so the server must listen.
      await new Promise<void>((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', () => resolve()));
    });

    const preview = (body: Record<string, unknown>) =>
      as(http().post('/personalization/preview')).send({ contentType: ARTICLE, documentId: baseId, locale: 'en', ...body });

    it('shows what the content API serves to that visitor, with a ten-minute token and no consent record', async () => {
      const records = () => strapi.db.query('plugin::personalization.consent-record').count();
      const before = await records();
      const { body } = await preview({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(200);
      expect(body.data.response.status).toBe(200);
      expect(body.data.response.body.data).toMatchObject({ documentId: baseId, title: 'Outdoor title', personalization: { variant: 'outdoor', kind: 'targeted' } });
      expect(body.data.request).toEqual({ method: 'GET', path: `/api/articles/${baseId}?locale=en`, headers: { 'X-Consent-Token': body.data.token } });
      const claims = JSON.parse(Buffer.from(body.data.token.split('.')[1], 'base64url').toString());
      expect(claims.exp - claims.iat).toBe(600);
      expect(claims.pur).toEqual(['necessary', 'personalization']);
      expect(await records()).toBe(before);
    });

    it('refuses an attribute whose purpose the visitor did not grant', async () => {
      const { body } = await preview({ purposes: ['functional'], attributes: { interests: ['outdoor'] } }).expect(400);
      expect(body.error.details.field).toBe('attributes.interests');
    });
  });

  describe('an admin role without plugin permissions', () => {
    let author: string;

    beforeAll(async () => {
      const role = await strapi.admin.services.role.findOne({ code: 'strapi-author' });
      await strapi.admin.services.user.create({
        email: 'author@example.com',
        firstname: 'Ann',
        lastname: 'Author',
        password: 'Author-test-123',
        isActive: true,
        registrationToken: null,
        roles: [role.id],
      });
      const login = await http().post('/admin/login').send({ email: 'author@example.com', password: 'Author-test-123' }).expect(200);
      author = login.body.data.token;
    });

    it.each([
      ['GET', '/personalization/settings'],
      ['POST', '/personalization/simulate'],
      ['POST', '/personalization/preview'],
    ])('gets 403 from %s %s', async (method, path) => {
      const call = method === 'GET' ? http().get(path) : http().post(path).send({ contentType: ARTICLE });
      await as(call, author).expect(403);
    });
  });
});
