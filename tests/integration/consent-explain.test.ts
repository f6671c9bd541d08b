import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { stopStrapi } from '../helpers/strapi';
import { ARTICLE, consentToken, postVariant, publishedInLocales, publishVariantDocument, startWithGerman } from '../helpers/content';

const HOUR = 3600_000;

describe('GET /api/personalization/explain: why an entry was chosen, for the caller', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let draftId: string;

  const http = () => request(strapi.server.httpServer);
  const explain = (path = `${ARTICLE}/${baseId}`) => http().get(`/api/personalization/explain/${path}`);
  const token = (purposes: string[], attributes: Record<string, unknown> = {}) => consentToken(strapi, purposes, attributes);

  async function createVariant(body: Record<string, unknown>, publish = true) {
    const record = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, ...body });
    if (publish) await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId);
    return record;
  }

  beforeAll(async () => {
    ({ strapi, admin } = await startWithGerman());
    baseId = await publishedInLocales(strapi, ARTICLE, { en: { title: 'Generic', slug: 'generic' }, de: { title: 'Allgemein', slug: 'allgemein' } });
    const draft = await strapi.documents(ARTICLE).create({ locale: 'en', data: { title: 'Draft only', slug: 'draft-only' } } as any);
    draftId = draft.documentId;

    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } });
    await createVariant({ name: 'Adults', key: 'adults', kind: 'targeted', requiredPurposes: ['marketing'], audience: { '==': [{ var: 'ageGroup' }, 'adult'] } });
    await createVariant({ name: 'Later', key: 'later', kind: 'mass', startsAt: new Date(Date.now() + HOUR).toISOString() });
    await createVariant({ name: 'Unpublished', key: 'unpublished', kind: 'mass' }, false);
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('explains the generic answer without consent: every variant skipped, nothing read', async () => {
    const response = await explain().expect(200);
    expect(response.body.data).toEqual({
      contentType: ARTICLE,
      documentId: baseId,
      locale: 'en',
      served: { variant: null, kind: 'base', reason: 'no-token', decidedBy: null },
      skipped: [
        { variant: 'outdoor', kind: 'targeted', reason: 'consent-missing', missingPurposes: ['personalization'] },
        { variant: 'adults', kind: 'targeted', reason: 'consent-missing', missingPurposes: ['marketing', 'personalization'] },
        { variant: 'later', kind: 'mass', reason: 'schedule' },
      ],
      read: [],
      consent: { reason: 'no-token', purposes: [] },
    });
    expect(response.headers['cache-control']).toMatch(/private/);
    expect(response.headers.vary).toMatch(/X-Consent-Token/i);
  });

  it('explains a served targeted variant with consent, naming what was read but no value', async () => {
    const response = await explain()
      .set('X-Consent-Token', await token(['personalization'], { interests: ['outdoor', 'heron-4q7'], ageGroup: 'adult' }))
      .expect(200);
    expect(response.body.data.served).toEqual({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match', decidedBy: '(root)' });
    expect(response.body.data.skipped).toEqual([]);
    expect(response.body.data.read).toEqual(['interests']);
    expect(response.body.data.consent).toEqual({ reason: 'consent', purposes: ['necessary', 'personalization'] });
    const body = JSON.stringify(response.body);
    expect(body).not.toContain('heron-4q7');
    expect(body).not.toContain('adult"');
  });

  it('explains a rule that did not match, and a purpose that was not granted', async () => {
    const response = await explain()
      .set('X-Consent-Token', await token(['personalization'], { interests: ['mallard-2k9'], ageGroup: 'adult' }))
      .expect(200);
    expect(response.body.data.served).toEqual({ variant: null, kind: 'base', reason: 'consent-missing', decidedBy: null });
    expect(response.body.data.skipped).toEqual([
      { variant: 'outdoor', kind: 'targeted', reason: 'rule-false', decidedBy: '(root)' },
      { variant: 'adults', kind: 'targeted', reason: 'consent-missing', missingPurposes: ['marketing'] },
      { variant: 'later', kind: 'mass', reason: 'schedule' },
    ]);
    expect(response.body.data.read).toEqual(['interests']);
    expect(JSON.stringify(response.body)).not.toContain('mallard-2k9');
  });

  it('matches what delivery serves for the same consent', async () => {
    const consent = await token(['personalization', 'marketing'], { interests: ['sailing'], ageGroup: 'adult' });
    const explained = await explain().set('X-Consent-Token', consent).expect(200);
    await strapi.db.query('plugin::users-permissions.permission').create({
      data: {
        action: `${ARTICLE}.findOne`,
        role: (await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } })).id,
      },
    });
    const delivered = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', consent).expect(200);
    expect(explained.body.data.served).toEqual({ variant: 'adults', kind: 'targeted', reason: 'targeted-match', decidedBy: '(root)' });
    const { decidedBy, ...label } = explained.body.data.served;
    expect(decidedBy).toBe('(root)');
    expect(delivered.body.data.personalization).toEqual(label);
    expect(explained.body.data.read).toEqual(['ageGroup', 'interests']);
  });

  it('uses the requested locale, and says a bad token is no consent', async () => {
    const response = await explain(`${ARTICLE}/${baseId}?locale=de`).set('X-Consent-Token', 'garbage').expect(200);
    expect(response.body.data.locale).toBe('de');
    expect(response.body.data.consent).toEqual({ reason: 'token-malformed', purposes: [] });
    expect(response.body.data.skipped.find((skip: any) => skip.variant === 'later').reason).toBe('locale-missing');
  });

  it('accepts the content type uid URL-encoded', async () => {
    const response = await explain(`${encodeURIComponent(ARTICLE)}/${baseId}`).expect(200);
    expect(response.body.data.contentType).toBe(ARTICLE);
  });

  it.each([
    ['an unknown content type', () => `api::nothing.nothing/${baseId}`, () => 'api::nothing.nothing'],
    ['a type without personalization', () => `api::author.author/${baseId}`, () => 'api::author.author'],
    ['an unknown entry', () => `${ARTICLE}/nope123`, () => 'nope123'],
    ['a draft-only entry', () => `${ARTICLE}/${draftId}`, () => draftId],
  ])('answers 404 naming %s', async (_, path, named) => {
    const response = await explain(path()).expect(404);
    expect(response.body.error.message).toContain(named());
  });

  it('never names a draft or disabled variant, which the admin simulator still shows', async () => {
    await createVariant({ name: 'Paused', key: 'paused', kind: 'mass', enabled: false });
    const everything = await token(['personalization', 'functional', 'measurement', 'marketing'], { interests: ['outdoor'], ageGroup: 'adult' });
    for (const consent of [undefined, 'garbage', everything]) {
      const request = explain();
      if (consent) request.set('X-Consent-Token', consent);
      const response = await request.expect(200);
      expect(response.body.data.skipped.map((skip: any) => skip.variant)).toEqual(expect.not.arrayContaining(['unpublished', 'paused']));
      expect(JSON.stringify(response.body)).not.toMatch(/unpublished|paused/i);
    }
    const german = await explain(`${ARTICLE}/${baseId}?locale=de`).expect(200);
    expect(JSON.stringify(german.body)).not.toMatch(/unpublished|paused/i);

    const simulated = await http()
      .post('/personalization/simulate')
      .set('Authorization', `Bearer ${admin}`)
      .send({ contentType: ARTICLE, documentIds: [baseId] })
      .expect(200);
    expect(simulated.body.data.entries[0].skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ variant: 'unpublished', reason: 'draft' }),
        expect.objectContaining({ variant: 'paused', reason: 'disabled' }),
      ])
    );
  });

  it('names a variant once it is enabled, and once it is published', async () => {
    const variants = strapi.db.query('plugin::personalization.variant');
    const paused = await variants.findOne({ where: { key: 'paused', baseDocumentId: baseId } });
    await http()
      .put(`/personalization/variants/${paused.documentId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ enabled: true, startsAt: new Date(Date.now() + HOUR).toISOString() })
      .expect(200);
    const enabled = await explain().expect(200);
    expect(enabled.body.data.skipped).toContainEqual({ variant: 'paused', kind: 'mass', reason: 'schedule' });
    expect(JSON.stringify(enabled.body)).not.toContain('unpublished');

    const draft = await variants.findOne({ where: { key: 'unpublished', baseDocumentId: baseId } });
    await strapi.documents(ARTICLE).publish({ documentId: draft.variantDocumentId, locale: 'en' } as any);
    const published = await explain().expect(200);
    expect(published.body.data.served).toEqual({ variant: 'unpublished', kind: 'mass', reason: 'mass-match', decidedBy: null });
  });

  it('refuses unknown query parameters', async () => {
    const response = await explain(`${ARTICLE}/${baseId}?interests=outdoor`).expect(400);
    expect(response.body.error.details.field).toBe('interests');
  });
});
