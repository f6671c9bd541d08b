import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { stopStrapi } from '../helpers/strapi';
import { ARTICLE, postVariant, publishVariantDocument, removeAllVariants as removeAll, startWithGenericArticle } from '../helpers/content';

const RECORD = 'plugin::personalization.consent-record';
const REVOCATION = 'plugin::personalization.revocation';
const OUTDOOR = { name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } };

describe('consent endpoints: issue, inspect, withdraw', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;

  const http = () => request(strapi.server.httpServer);
  const grant = (body: unknown) => http().post('/api/personalization/consent').send(body as object);
  const recordsOf = (recordId: string) =>
    strapi.db.query(RECORD).findMany({ where: { recordId }, orderBy: [{ id: 'asc' }] }) as Promise<any[]>;

  async function createVariant(body: Record<string, unknown>, title: string) {
    const record = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, ...body });
    await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data: () => ({ title }) });
    return record;
  }

  const removeAllVariants = () => removeAll(strapi, admin, ARTICLE, baseId);

  beforeAll(async () => {
    // A generous limit here; the limit itself is tested in consent-rate-limit.test.ts.
    ({ strapi, admin, baseId } = await startWithGenericArticle({ config: { rateLimit: { windowSeconds: 60, max: 10_000 } } }));
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  afterEach(async () => {
    await removeAllVariants();
  });

  it('issues a token for the granted purposes and records the grant without attribute values', async () => {
    const before = Date.now();
    const response = await grant({ purposes: ['personalization'], attributes: { interests: ['kayak-3b1'] }, policyVersion: '1' }).expect(201);
    const { token, expiresAt, subject, purposes } = response.body.data;
    expect(token.split('.')).toHaveLength(3);
    expect(subject).toMatch(/^[0-9a-f-]{36}$/);
    // `necessary` comes with every valid token; the answer says so.
    expect(purposes).toEqual(['necessary', 'personalization']);
    const ttl = 60 * 60 * 24 * 180 * 1000;
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + ttl);
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(Date.now() + ttl);
    expect(response.headers['cache-control']).toMatch(/no-store/);

    const inspected = await http().get('/api/personalization/consent').set('X-Consent-Token', token).expect(200);
    const records = await recordsOf(inspected.body.data.recordId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ subject, event: 'granted', purposes: ['necessary', 'personalization'], policyVersion: '1' });
    expect(new Date(records[0].expiresAt).toISOString()).toBe(expiresAt);
    expect(JSON.stringify(records)).not.toContain('kayak-3b1');
  });

  it('shows exactly what the token grants and holds', async () => {
    const { token, subject } = (
      await grant({ purposes: ['personalization', 'marketing'], attributes: { interests: ['outdoor'], ageGroup: '30-39' } }).expect(201)
    ).body.data;
    const response = await http().get('/api/personalization/consent').set('X-Consent-Token', token).expect(200);
    const data = response.body.data;
    expect(data).toEqual({
      subject,
      recordId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      purposes: ['necessary', 'personalization', 'marketing'],
      attributes: { interests: ['outdoor'], ageGroup: '30-39' },
      ignoredAttributes: [],
      issuedAt: expect.any(String),
      expiresAt: expect.any(String),
      policyVersion: '1',
      issuer: 'strapi-plugin-personalization',
    });
    expect(Date.parse(data.expiresAt) - Date.parse(data.issuedAt)).toBe(60 * 60 * 24 * 180 * 1000);
    expect(response.headers['cache-control']).toMatch(/private/);
    expect(response.headers['cache-control']).toMatch(/no-store/);
  });

  it('serves, inspects, withdraws, and then serves generic content to the same token', async () => {
    await createVariant(OUTDOOR, 'Outdoor');
    const { token } = (await grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(201)).body.data;

    const used = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
    expect(used.body.data.title).toBe('Outdoor');
    expect(used.body.data.personalization).toEqual({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' });

    const inspected = await http().get('/api/personalization/consent').set('X-Consent-Token', token).expect(200);
    const { recordId, expiresAt } = inspected.body.data;

    await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);

    const after = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
    expect(after.body.data.title).toBe('Generic');
    expect(after.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'token-revoked' });
    expect(after.headers['cache-control'] ?? '').not.toMatch(/private/);

    const refused = await http().get('/api/personalization/consent').set('X-Consent-Token', token).expect(401);
    expect(refused.body.error.details).toEqual({ reason: 'token-revoked' });

    const revocations = await strapi.db.query(REVOCATION).findMany({ where: { recordId } });
    expect(revocations).toHaveLength(1);
    expect(new Date(revocations[0].expiresAt).toISOString()).toBe(expiresAt);
    expect((await recordsOf(recordId)).map((record) => record.event)).toEqual(['granted', 'withdrawn']);
  });

  it('withdraws idempotently: a second DELETE succeeds, writes nothing, and the token stays revoked', async () => {
    await createVariant(OUTDOOR, 'Outdoor');
    const { token } = (await grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(201)).body.data;
    const { recordId } = (await http().get('/api/personalization/consent').set('X-Consent-Token', token)).body.data;
    await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);
    await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);
    expect(await strapi.db.query(REVOCATION).count({ where: { recordId } })).toBe(1);
    expect((await recordsOf(recordId)).map((record) => record.event)).toEqual(['granted', 'withdrawn']);
    const served = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
    expect(served.body.data.personalization.reason).toBe('token-revoked');
  });

  it('keeps a withdrawal across a reload of the revocations, as a restarted or second instance does', async () => {
    await createVariant(OUTDOOR, 'Outdoor');
    const { token } = (await grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }).expect(201)).body.data;
    await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);
    await strapi.plugin('personalization').service('revocations').load();
    const served = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
    expect(served.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'token-revoked' });
  });

  it.each([
    ['no token', undefined, 'no-token'],
    ['a malformed token', 'not-a-token', 'token-malformed'],
    ['an oversized token', 'a'.repeat(10_000), 'token-oversized'],
  ])('answers GET and DELETE with 401 and the reason for %s', async (_, header, reason) => {
    const headers: Record<string, string> = header ? { 'X-Consent-Token': header } : {};
    const inspected = await http().get('/api/personalization/consent').set(headers).expect(401);
    expect(inspected.body.error.details).toEqual({ reason });
    const withdrawn = await http().delete('/api/personalization/consent').set(headers).expect(401);
    expect(withdrawn.body.error.details).toEqual({ reason });
  });

  it('answers 401 token-expired for an expired token and token-signature for a forged one', async () => {
    const issuer = strapi.plugin('personalization').service('consent').issuer();
    const expired = (await issuer.issue({ purposes: ['personalization'] }, new Date(Date.now() - 400 * 24 * 3600_000))).token;
    const expiredAnswer = await http().get('/api/personalization/consent').set('X-Consent-Token', expired).expect(401);
    expect(expiredAnswer.body.error.details.reason).toBe('token-expired');
    const valid = (await grant({ purposes: ['personalization'] }).expect(201)).body.data.token;
    const forged = valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const forgedAnswer = await http().delete('/api/personalization/consent').set('X-Consent-Token', forged).expect(401);
    expect(forgedAnswer.body.error.details.reason).toBe('token-signature');
    // The forged DELETE revoked nothing: the real token still works.
    await http().get('/api/personalization/consent').set('X-Consent-Token', valid).expect(200);
  });

  describe('refusing a bad grant with a 400 that names the problem', () => {
    it.each([
      ['an unknown purpose', { purposes: ['personalization', 'astrology'] }, 'purposes[1]', 'astrology'],
      ['an unknown attribute', { purposes: ['personalization'], attributes: { shoeSize: 'wide-77q' } }, 'attributes.shoeSize', 'shoeSize'],
      ['an attribute of the wrong type', { purposes: ['personalization'], attributes: { ageGroup: 4242 } }, 'attributes.ageGroup', 'ageGroup'],
      ['a list attribute given a string', { purposes: ['personalization'], attributes: { interests: 'outdoor-9z' } }, 'attributes.interests', 'string[]'],
      ['a context attribute', { purposes: ['functional'], attributes: { device: 'phone-5k2' } }, 'attributes.device', 'X-Personalization-Context'],
      ['a built-in attribute', { purposes: ['personalization'], attributes: { hour: 3 } }, 'attributes.hour', 'built-in'],
      [
        'an attribute whose purpose is not granted',
        { purposes: ['functional'], attributes: { interests: ['outdoor-8y'] } },
        'attributes.interests',
        '"personalization", which is not granted',
      ],
      ['an unknown body key', { purposes: ['personalization'], favouriteColour: 'teal-1' }, 'favouriteColour', 'favouriteColour'],
      ['missing purposes', { attributes: {} }, 'purposes', 'purposes'],
      ['purposes that are not a list', { purposes: 'personalization' }, 'purposes', 'purposes'],
      ['a policy version that is not the current one', { purposes: ['personalization'], policyVersion: '0' }, 'policyVersion', '"1"'],
    ])('%s', async (_, body, field, named) => {
      const count = await strapi.db.query(RECORD).count();
      const response = await grant(body).expect(400);
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.message).toContain(named);
      // Values are never echoed back.
      for (const value of ['wide-77q', '4242', 'outdoor-9z', 'phone-5k2', 'outdoor-8y', 'teal-1']) {
        expect(JSON.stringify(response.body)).not.toContain(value);
      }
      expect(await strapi.db.query(RECORD).count()).toBe(count);
    });

    it('refuses a "__proto__" attribute and issues nothing', async () => {
      const count = await strapi.db.query(RECORD).count();
      const response = await http()
        .post('/api/personalization/consent')
        .set('Content-Type', 'application/json')
        .send('{"purposes":["personalization"],"attributes":{"__proto__":{"polluted":true}}}')
        .expect(400);
      expect(response.body.data ?? null).toBeNull();
      expect(({} as any).polluted).toBeUndefined();
      expect(await strapi.db.query(RECORD).count()).toBe(count);
    });

    it('lists every problem of a grant in the details', async () => {
      const response = await grant({
        purposes: ['astrology', 'functional'],
        attributes: { interests: ['x'], shoeSize: 1 },
      }).expect(400);
      expect(response.body.error.details.problems.map((problem: any) => problem.field)).toEqual([
        'purposes[0]',
        'attributes.interests',
        'attributes.shoeSize',
      ]);
    });

    it('refuses attributes that would make the token too large to verify', async () => {
      const interests = Array.from({ length: 200 }, (_, i) => `interest-number-${i}`);
      const response = await grant({ purposes: ['personalization'], attributes: { interests } }).expect(400);
      expect(response.body.error.details.field).toBe('attributes');
      expect(response.body.error.message).toContain('maxTokenBytes');
    });
  });

  it('tells a consent banner which purposes live variants use', async () => {
    const none = await http().get('/api/personalization/purposes').expect(200);
    expect(none.body.data.map((purpose: any) => purpose.usedByLiveVariants)).toEqual([false, false, false, false, false]);

    await createVariant({ name: 'Mobile', key: 'mobile', kind: 'targeted', requiredPurposes: ['measurement'], audience: { '==': [{ var: 'device' }, 'mobile'] } }, 'Mobile');
    await createVariant({ name: 'Off', key: 'off', kind: 'targeted', requiredPurposes: ['marketing'], enabled: false }, 'Off');
    const response = await http().get('/api/personalization/purposes').expect(200);
    const used = Object.fromEntries(response.body.data.map((purpose: any) => [purpose.key, purpose.usedByLiveVariants]));
    expect(used).toEqual({ necessary: false, functional: true, personalization: true, measurement: true, marketing: false });
    const personalization = response.body.data.find((purpose: any) => purpose.key === 'personalization');
    expect(personalization.attributes.map((attribute: any) => attribute.name)).toEqual(['interests', 'ageGroup', 'country']);
    expect(response.headers['cache-control']).toMatch(/public/);
  });
});
