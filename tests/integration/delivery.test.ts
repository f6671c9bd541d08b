import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi, grantPublic, adminToken, countQueries } from '../helpers/strapi';
import { consentToken, postVariant, publishVariantDocument, publishedDocument, removeAllVariants as removeAll } from '../helpers/content';

const ARTICLE = 'api::article.article';
const HOUR = 3600_000;

describe('delivery of variants on the content API', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let otherId: string;

  const http = () => request(strapi.server.httpServer);
  const consent = () => strapi.plugin('personalization').service('consent');
  const token = (purposes: string[], attributes: Record<string, unknown> = {}) => consentToken(strapi, purposes, attributes);

  async function createVariant(body: Record<string, unknown>, title?: string, locales: string[] = ['en']) {
    const record = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, ...body });
    const data = title ? (locale: string) => ({ title: `${title} (${locale})` }) : undefined;
    await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data, locales });
    return record;
  }

  const removeAllVariants = () => removeAll(strapi, admin, ARTICLE, baseId);

  const titles = (body: any) => body.data.map((entry: any) => entry.title);

  beforeAll(async () => {
    strapi = await startStrapi();
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`, 'api::homepage.homepage.find', 'api::author.author.find']);
    admin = await adminToken(strapi);
    await strapi.plugin('i18n').service('locales').create({ code: 'de', name: 'German (de)' });
    const author = await strapi.documents('api::author.author').create({ data: { name: 'Ada' } });
    const base = await strapi.documents(ARTICLE).create({
      locale: 'en',
      data: { title: 'Generic', slug: 'generic', author: author.documentId, cta: { label: 'Read' } },
    } as any);
    await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'en' } as any);
    await strapi.documents(ARTICLE).update({ documentId: base.documentId, locale: 'de', data: { title: 'Allgemein', slug: 'allgemein' } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'de' } as any);
    baseId = base.documentId;
    otherId = await publishedDocument(strapi, ARTICLE, { title: 'Other', slug: 'other' });
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  afterEach(async () => {
    await removeAllVariants();
  });

  it('indexes variant_of, so hiding variants does not scan the table', async () => {
    const knex = strapi.db.connection as any;
    const client = String(knex.client.config.client);
    const name = 'articles_variant_of_idx';
    let found: unknown[];
    if (client.includes('sqlite')) {
      found = await knex('sqlite_master').where({ type: 'index', name }).select('name');
    } else if (client.includes('pg') || client.includes('postgres')) {
      found = (await knex.raw('select indexname from pg_indexes where indexname = ?', [name])).rows;
    } else {
      found = (await knex.raw('show index from articles where Key_name = ?', [name]))[0];
    }
    expect(found.length).toBeGreaterThan(0);
  });

  it('labels entries of a type with no variants as base / no-variants and varies on the consent headers', async () => {
    const response = await http().get('/api/articles').expect(200);
    expect(response.body.data).toHaveLength(2);
    for (const entry of response.body.data) {
      expect(entry.personalization).toEqual({ variant: null, kind: 'base', reason: 'no-variants' });
    }
    expect(response.headers.vary).toMatch(/X-Consent-Token/i);
    expect(response.headers.vary).toMatch(/Sec-GPC/i);
    expect(response.headers['cache-control'] ?? '').not.toMatch(/private/);
    expect(response.headers['x-personalization-key']).toBeTruthy();
  });

  it('serves a targeted variant only with consent and a matching audience, keeping the base id, documentId and slug', async () => {
    const variant = await createVariant(
      { name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } },
      'Outdoor'
    );
    const base = await http().get(`/api/articles/${baseId}`).expect(200);

    const granted = await http()
      .get(`/api/articles/${baseId}`)
      .set('X-Consent-Token', await token(['personalization'], { interests: ['outdoor'] }))
      .expect(200);
    expect(granted.body.data.title).toBe('Outdoor (en)');
    expect(granted.body.data.id).toBe(base.body.data.id);
    expect(granted.body.data.documentId).toBe(baseId);
    expect(granted.body.data.slug).toBe('generic');
    expect(granted.body.data.personalization).toEqual({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' });
    expect(granted.headers['cache-control']).toMatch(/private/);
    expect(JSON.stringify(granted.body)).not.toContain(variant.variantDocumentId);

    expect(base.body.data.title).toBe('Generic');
    expect(base.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'no-token' });

    const otherInterest = await http()
      .get(`/api/articles/${baseId}`)
      .set('X-Consent-Token', await token(['personalization'], { interests: ['cooking'] }))
      .expect(200);
    expect(otherInterest.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'rule-false' });

    const noPurpose = await http()
      .get(`/api/articles/${baseId}`)
      .set('X-Consent-Token', await token(['functional'], { interests: ['outdoor'] }))
      .expect(200);
    expect(noPurpose.body.data.title).toBe('Generic');
    expect(noPurpose.body.data.personalization.reason).toBe('consent-missing');
  });

  it('never evaluates a targeted rule over an attribute whose purpose is not granted', async () => {
    // utmCampaign needs `marketing`; withheld it reads as null, and "not winter" would be true.
    await createVariant(
      { name: 'Not winter', key: 'not-winter', kind: 'targeted', audience: { '!': { '==': [{ var: 'utmCampaign' }, 'winter'] } } },
      'Not winter'
    );
    const response = await http()
      .get(`/api/articles/${baseId}`)
      .set('X-Consent-Token', await token(['personalization']))
      .expect(200);
    expect(response.body.data.title).toBe('Generic');
    expect(response.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'consent-missing' });
  });

  it.each([
    ['an expired', async () => (await consent().issuer().issue({ purposes: ['personalization'] }, new Date(Date.now() - 400 * 24 * HOUR))).token, 'token-expired'],
    ['a malformed', async () => 'not-a-token', 'token-malformed'],
    ['a badly signed', async () => (await token(['personalization'], { interests: ['outdoor'] })).slice(0, -4) + 'AAAA', 'token-signature'],
    ['an oversized', async () => 'a'.repeat(10_000), 'token-oversized'],
  ])('serves generic content with 200 for %s token and says why', async (_, makeToken, reason) => {
    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    const response = await http().get('/api/articles').set('X-Consent-Token', await makeToken()).expect(200);
    const entry = response.body.data.find((e: any) => e.documentId === baseId);
    expect(entry.title).toBe('Generic');
    expect(entry.personalization).toEqual({ variant: null, kind: 'base', reason });
    expect(response.headers['cache-control'] ?? '').not.toMatch(/private/);
  });

  it('falls back to a mass variant in schedule, for everyone, when no targeted variant applies', async () => {
    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    await createVariant(
      {
        name: 'Winter campaign',
        key: 'winter',
        kind: 'mass',
        startsAt: new Date(Date.now() - HOUR).toISOString(),
        endsAt: new Date(Date.now() + HOUR).toISOString(),
      },
      'Winter'
    );
    const anonymous = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(anonymous.body.data.title).toBe('Winter (en)');
    expect(anonymous.body.data.personalization).toEqual({ variant: 'winter', kind: 'mass', reason: 'mass-match' });
    expect(anonymous.headers['cache-control'] ?? '').not.toMatch(/private/);

    const targeted = await http()
      .get(`/api/articles/${baseId}`)
      .set('X-Consent-Token', await token(['personalization'], { interests: ['outdoor'] }))
      .expect(200);
    expect(targeted.body.data.personalization.variant).toBe('outdoor');
  });

  it('skips variants outside their schedule at both edges', async () => {
    await createVariant({ name: 'Later', key: 'later', kind: 'mass', startsAt: new Date(Date.now() + HOUR).toISOString() }, 'Later');
    await createVariant({ name: 'Over', key: 'over', kind: 'mass', endsAt: new Date(Date.now() - 1000).toISOString() }, 'Over');
    const response = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(response.body.data.title).toBe('Generic');
    expect(response.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'schedule' });
  });

  it('follows priority, and a reorder changes which variant wins', async () => {
    await createVariant({ name: 'First', key: 'first', kind: 'mass' }, 'First');
    await createVariant({ name: 'Second', key: 'second', kind: 'mass' }, 'Second');
    expect((await http().get(`/api/articles/${baseId}`)).body.data.personalization.variant).toBe('first');
    await http()
      .put(`/personalization/variants/${ARTICLE}/${baseId}/order`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ keys: ['second', 'first'] })
      .expect(200);
    expect((await http().get(`/api/articles/${baseId}`)).body.data.personalization.variant).toBe('second');
  });

  it('never serves a draft-only variant', async () => {
    const response = await http()
      .post('/personalization/variants')
      .set('Authorization', `Bearer ${admin}`)
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'Draft', key: 'draft', kind: 'mass' })
      .expect(201);
    await strapi.documents(ARTICLE).update({ documentId: response.body.data.variantDocumentId, locale: 'en', data: { title: 'Draft title' } } as any);
    const served = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(served.body.data.title).toBe('Generic');
    expect(served.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'draft' });
    const drafts = await http().get('/api/articles?status=draft').expect(200);
    expect(titles(drafts.body)).not.toContain('Draft title');
  });

  it('falls back, and says so, when the variant is not published in the requested locale', async () => {
    await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter', ['en']);
    const german = await http().get(`/api/articles/${baseId}?locale=de`).expect(200);
    expect(german.body.data.title).toBe('Allgemein');
    expect(german.body.data.personalization).toEqual({ variant: null, kind: 'base', reason: 'locale-missing' });
    const english = await http().get(`/api/articles/${baseId}?locale=en`).expect(200);
    expect(english.body.data.title).toBe('Winter (en)');
  });

  it('never lists, fetches, counts or populates variant documents as entries', async () => {
    const variant = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    const list = await http().get('/api/articles?pagination[pageSize]=10').expect(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.meta.pagination.total).toBe(2);
    expect(list.body.data.map((e: any) => e.documentId).sort()).toEqual([baseId, otherId].sort());
    await http().get(`/api/articles/${variant.variantDocumentId}`).expect(404);

    const authors = await http().get('/api/authors?populate=articles').expect(200);
    const populated = authors.body.data[0].articles.map((a: any) => a.documentId);
    expect(populated).toContain(baseId);
    expect(populated).not.toContain(variant.variantDocumentId);

    const filtered = await http().get('/api/articles?filters[title][$eq]=Winter (en)').expect(200);
    expect(filtered.body.data).toHaveLength(0);
  });

  it('keeps variant documents out of reach of content-API filters and writes', async () => {
    const variant = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    // A filter on the private marker neither lists variants nor fails delivery open.
    const byMarker = await http().get('/api/articles?filters[variantOf][$notNull]=true');
    if (byMarker.status === 200) {
      expect(byMarker.body.data.map((e: any) => e.documentId)).not.toContain(variant.variantDocumentId);
    } else {
      expect(byMarker.status).toBe(400);
    }
    await grantPublic(strapi, [`${ARTICLE}.update`]);
    await http()
      .put(`/api/articles/${variant.variantDocumentId}`)
      .send({ data: { title: 'Overwritten' } })
      .expect(404);
    const rows = await strapi.db.query(ARTICLE).findMany({ where: { documentId: variant.variantDocumentId } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((row: any) => row.title)).not.toContain('Overwritten');
  });

  it('applies filters, sort and pagination to base entries', async () => {
    await createVariant({ name: 'Zulu', key: 'zulu', kind: 'mass' }, 'Zulu');
    const sorted = await http().get('/api/articles?sort=title:asc&pagination[pageSize]=1').expect(200);
    expect(sorted.body.meta.pagination.total).toBe(2);
    // Sorted on the base title "Generic" < "Other", then served as the variant.
    expect(sorted.body.data[0].documentId).toBe(baseId);
    expect(sorted.body.data[0].title).toBe('Zulu (en)');
    const byBaseTitle = await http().get('/api/articles?filters[title][$eq]=Generic').expect(200);
    expect(byBaseTitle.body.data.map((e: any) => e.title)).toEqual(['Zulu (en)']);
  });

  it("populates the variant's own relations and components", async () => {
    const variant = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    await strapi.documents(ARTICLE).update({ documentId: variant.variantDocumentId, locale: 'en', data: { cta: { label: 'Winter offers' } } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: variant.variantDocumentId, locale: 'en' } as any);
    const response = await http().get(`/api/articles/${baseId}?populate[cta]=true&populate[author]=true`).expect(200);
    expect(response.body.data.cta.label).toBe('Winter offers');
    expect(response.body.data.author.name).toBe('Ada');
  });

  it('chooses by locale even when the caller selects fields without it', async () => {
    await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    const response = await http().get(`/api/articles/${baseId}?fields[0]=title`).expect(200);
    expect(response.body.data.title).toBe('Winter (en)');
    expect(response.body.data.locale).toBeUndefined();
    expect(response.body.data.summary).toBeUndefined();
  });

  it('personalizes single types', async () => {
    const home = await strapi.documents('api::homepage.homepage').create({ locale: 'en', data: { headline: 'Welcome', featured: baseId } } as any);
    await strapi.documents('api::homepage.homepage').publish({ documentId: home.documentId, locale: 'en' } as any);
    const created = await http()
      .post('/personalization/variants')
      .set('Authorization', `Bearer ${admin}`)
      .send({ contentType: 'api::homepage.homepage', baseDocumentId: home.documentId, name: 'Evening', key: 'evening', kind: 'mass' })
      .expect(201);
    await strapi.documents('api::homepage.homepage').update({ documentId: created.body.data.variantDocumentId, locale: 'en', data: { headline: 'Good evening' } } as any);
    await strapi.documents('api::homepage.homepage').publish({ documentId: created.body.data.variantDocumentId, locale: 'en' } as any);

    const response = await http().get('/api/homepage?populate=featured').expect(200);
    expect(response.body.data.headline).toBe('Good evening');
    expect(response.body.data.documentId).toBe(home.documentId);
    expect(response.body.data.personalization).toEqual({ variant: 'evening', kind: 'mass', reason: 'mass-match' });
    // The relation points at the base article and stays on it.
    expect(response.body.data.featured.documentId).toBe(baseId);
    await http().delete(`/personalization/variants/${created.body.data.documentId}`).set('Authorization', `Bearer ${admin}`).expect(200);
  });

  it('serves variants and labels through GraphQL', async () => {
    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    const query = { query: '{ articles(sort: "title:asc") { documentId title personalization { variant kind reason } } }' };
    const anonymous = await http().post('/graphql').send(query).expect(200);
    expect(anonymous.body.errors).toBeUndefined();
    expect(anonymous.body.data.articles).toHaveLength(2);
    expect(anonymous.body.data.articles[0]).toEqual({
      documentId: baseId,
      title: 'Generic',
      personalization: { variant: null, kind: 'base', reason: 'no-token' },
    });
    const targeted = await http()
      .post('/graphql')
      .set('X-Consent-Token', await token(['personalization'], { interests: ['outdoor'] }))
      .send(query)
      .expect(200);
    expect(targeted.body.data.articles[0].title).toBe('Outdoor (en)');
    expect(targeted.body.data.articles[0].personalization.kind).toBe('targeted');
    expect(targeted.headers['cache-control']).toMatch(/private/);
  });

  it('labels entries a custom content-API controller returns without the output sanitizer', async () => {
    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    // A route of the app's own: the document service straight into the body.
    (strapi.server.router as any).get('/api/raw-articles', async (ctx: any) => {
      ctx.state.route = { info: { type: 'content-api' } };
      ctx.body = { data: await strapi.documents(ARTICLE).findMany({ status: 'published', sort: 'title:asc' } as any) };
    });
    const anonymous = await http().get('/api/raw-articles').expect(200);
    expect(anonymous.body.data.map((entry: any) => [entry.title, entry.personalization])).toEqual([
      ['Generic', { variant: null, kind: 'base', reason: 'no-token' }],
      ['Other', { variant: null, kind: 'base', reason: 'no-variants' }],
    ]);
    const targeted = await http()
      .get('/api/raw-articles')
      .set('X-Consent-Token', await token(['personalization'], { interests: ['outdoor'] }))
      .expect(200);
    expect(targeted.body.data[0]).toMatchObject({ documentId: baseId, title: 'Outdoor (en)', personalization: { variant: 'outdoor', kind: 'targeted' } });
    expect(targeted.headers['cache-control']).toMatch(/private/);
  });

  it('hides variant documents from the Content Manager list view', async () => {
    const variant = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    const list = await http()
      .get(`/content-manager/collection-types/${ARTICLE}?page=1&pageSize=10`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const ids = list.body.results.map((e: any) => e.documentId);
    expect(ids).toContain(baseId);
    expect(ids).not.toContain(variant.variantDocumentId);
    expect(list.body.pagination.total).toBe(2);
    // The edit view still opens the variant.
    await http()
      .get(`/content-manager/collection-types/${ARTICLE}/${variant.variantDocumentId}?locale=en`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
  });

  it('hides variant documents from the Home page widgets of last edited and last published entries', async () => {
    const variant = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter');
    for (const query of ['action=update', 'action=publish']) {
      const recent = await http()
        .get(`/content-manager/homepage/recent-documents?${query}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      const ids = recent.body.data.map((entry: any) => entry.documentId);
      expect(ids).toContain(baseId);
      expect(ids).not.toContain(variant.variantDocumentId);
    }
  });

  it('costs no extra query when nothing is served and at most one when variants are served', async () => {
    const before = await countQueries(strapi, () => http().get('/api/articles').expect(200));
    const variant = await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    const outdoor = await token(['personalization'], { interests: ['outdoor'] });
    // Warm the token cache with a request that serves nothing, so the counted ones differ only in the variant.
    await http().get('/api/articles').set('X-Consent-Token', await token(['personalization'])).expect(200);

    const nothingServed = await countQueries(strapi, () => http().get('/api/articles').expect(200));
    expect(nothingServed.queries).toBe(before.queries);
    await http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200);
    await strapi.plugin('personalization').service('variant-index').refresh();

    // The first response after a change reads the variant; later ones reuse it until the next change.
    const first = await countQueries(strapi, () => http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200));
    const again = await countQueries(strapi, () => http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200));
    expect(first.result.body.data.some((e: any) => e.personalization.kind === 'targeted')).toBe(true);
    expect(first.queries).toBe(before.queries + 1);
    expect(again.queries).toBe(before.queries);
    expect(again.result.body.data).toEqual(first.result.body.data);

    // An edit published in the Content Manager's way shows at once, read with one query again.
    await strapi.documents(ARTICLE).update({ documentId: variant.variantDocumentId, locale: 'en', data: { title: 'Outdoor, revised' } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: variant.variantDocumentId, locale: 'en' } as any);
    const revised = await countQueries(strapi, () => http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200));
    expect(revised.queries).toBe(before.queries + 1);
    expect(titles(revised.result.body)).toContain('Outdoor, revised');
    expect(titles(revised.result.body)).not.toContain('Outdoor (en)');

    // With populate the rows hold other documents too: read every time, the variant rows with one
    // query and each populated relation with one more, as Strapi populates the bases.
    const populated = () => http().get('/api/articles?populate=author').set('X-Consent-Token', outdoor).expect(200);
    const populatedBefore = await countQueries(strapi, () => http().get('/api/articles?populate=author').expect(200));
    await populated();
    expect((await countQueries(strapi, populated)).queries).toBe(populatedBefore.queries + 2);
    expect((await countQueries(strapi, populated)).queries).toBe(populatedBefore.queries + 2);
  });

  it('gives the same answer for the same content, consent and time, and a different cache key per choice', async () => {
    await createVariant({ name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } }, 'Outdoor');
    const outdoor = await token(['personalization'], { interests: ['outdoor'] });
    const first = await http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200);
    const second = await http().get('/api/articles').set('X-Consent-Token', outdoor).expect(200);
    const anonymous = await http().get('/api/articles').expect(200);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.headers['x-personalization-key']).toBe(first.headers['x-personalization-key']);
    expect(anonymous.headers['x-personalization-key']).not.toBe(first.headers['x-personalization-key']);
  });
});
