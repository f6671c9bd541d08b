import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { adminToken, countQueries, grantPublic, startStrapi, stopStrapi } from '../helpers/strapi';
import { consentToken, postVariant, publishVariantDocument, publishedDocument } from '../helpers/content';

const ARTICLE = 'api::article.article';
const AUTHOR = 'api::author.author';
const HOMEPAGE = 'api::homepage.homepage';

/**
 * Entries reached through relations, components and dynamic zones: variant documents never
 * appear, and a related entry of an enabled type is decided as when it is requested directly.
 */
describe('related entries on the content API', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let fullAccess: string;
  let trailsId: string;
  let otherId: string;
  let outdoor: { documentId: string; variantDocumentId: string };
  let winter: { documentId: string; variantDocumentId: string };
  let variantIds: string[];

  const http = () => request(strapi.server.httpServer);
  const token = (purposes: string[], attributes: Record<string, unknown> = {}) => consentToken(strapi, purposes, attributes);
  let outdoorToken: string;

  /** Every header set a visitor may send, with a name for failure messages. */
  const visitors = async (): Promise<Array<[string, Record<string, string>]>> => [
    ['no token', {}],
    ['a token the targeted variant matches', { 'X-Consent-Token': outdoorToken }],
    ['a malformed token', { 'X-Consent-Token': 'not-a-token' }],
  ];

  async function createVariant(body: Record<string, unknown>, title: string, author?: string) {
    const record = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: trailsId, ...body });
    await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data: () => ({ title, ...(author ? { author } : {}) }) });
    return record;
  }

  const get = (path: string, headers: Record<string, string> = {}) => {
    const call = http().get(path);
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call;
  };
  const graphql = (query: string, headers: Record<string, string> = {}) => {
    const call = http().post('/graphql');
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send({ query });
  };

  /** The title and label of the winter/outdoor article when requested on its own. */
  async function direct(headers: Record<string, string>) {
    const response = await get(`/api/articles/${trailsId}?populate=author`, headers).expect(200);
    const { title, personalization, author } = response.body.data;
    return { title, personalization, author: author?.name };
  }

  const noVariantIds = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const id of variantIds) expect(text).not.toContain(id);
  };

  beforeAll(async () => {
    strapi = await startStrapi();
    await grantPublic(strapi, [
      `${ARTICLE}.find`,
      `${ARTICLE}.findOne`,
      `${HOMEPAGE}.find`,
      `${AUTHOR}.find`,
      `${AUTHOR}.findOne`,
    ]);
    admin = await adminToken(strapi);
    const apiToken = await strapi.service('admin::api-token').create({ name: 'full', type: 'full-access', lifespan: null, permissions: [] } as any);
    fullAccess = apiToken.accessKey;

    const ada = await strapi.documents(AUTHOR).create({ data: { name: 'Ada' } });
    const bob = await strapi.documents(AUTHOR).create({ data: { name: 'Bob' } });
    trailsId = await publishedDocument(strapi, ARTICLE, { title: 'Five trails for a long weekend', slug: 'five-trails', author: ada.documentId });
    otherId = await publishedDocument(strapi, ARTICLE, { title: 'City walks', slug: 'city-walks', related: { articles: [trailsId] } });

    outdoor = await createVariant(
      { name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } },
      'Five trails for you',
      bob.documentId
    );
    winter = await createVariant({ name: 'Winter', key: 'winter', kind: 'mass' }, 'Winter campaign');
    variantIds = [outdoor.variantDocumentId, winter.variantDocumentId];

    const home = await strapi.documents(HOMEPAGE).create({
      locale: 'en',
      data: {
        headline: 'Welcome',
        featured: trailsId,
        highlights: [trailsId, otherId],
        sections: [{ __component: 'blocks.featured-articles', title: 'Picked for the weekend', articles: [trailsId] }],
      },
    } as any);
    await strapi.documents(HOMEPAGE).publish({ documentId: home.documentId, locale: 'en' } as any);
    outdoorToken = await token(['personalization'], { interests: ['outdoor'] });
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  describe('an entry reached through a relation gets the decision, label and content it gets directly', () => {
    const nestedPaths: Array<[string, string, (body: any) => any]> = [
      ['homepage featured (populate=featured)', '/api/homepage?populate=featured', (body) => body.data.featured],
      ['homepage featured (populate=*)', '/api/homepage?populate=*', (body) => body.data.featured],
      [
        'homepage highlights (populate[highlights]=true)',
        '/api/homepage?populate[highlights]=true',
        (body) => body.data.highlights.find((entry: any) => entry.documentId === trailsId),
      ],
      [
        'the dynamic zone block',
        '/api/homepage?populate[sections][on][blocks.featured-articles][populate]=articles',
        (body) => body.data.sections[0].articles[0],
      ],
      [
        'author.articles on a type that is not enabled',
        '/api/authors?populate[articles]=true&filters[name][$eq]=Ada',
        (body) => body.data[0].articles.find((entry: any) => entry.documentId === trailsId),
      ],
      [
        'a component of another article',
        `/api/articles/${'OTHER'}?populate[related][populate]=articles`,
        (body) => body.data.related.articles[0],
      ],
    ];

    it.each(nestedPaths)('%s', async (_name, path, pick) => {
      for (const [visitor, headers] of await visitors()) {
        const expected = await direct(headers);
        const response = await get(path.replace('OTHER', otherId), headers).expect(200);
        const nested = pick(response.body);
        expect({ visitor, documentId: nested.documentId, title: nested.title, personalization: nested.personalization }).toEqual({
          visitor,
          documentId: trailsId,
          title: expected.title,
          personalization: expected.personalization,
        });
        noVariantIds(response.body);
      }
    });

    it('serves the targeted variant nested, with headers that account for it', async () => {
      const anonymous = await get('/api/homepage?populate=featured').expect(200);
      const targeted = await get('/api/homepage?populate=featured', { 'X-Consent-Token': outdoorToken }).expect(200);
      expect(anonymous.body.data.featured.title).toBe('Winter campaign');
      expect(targeted.body.data.featured.title).toBe('Five trails for you');
      expect(targeted.body.data.featured.personalization).toEqual({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' });
      expect(targeted.headers['cache-control']).toBe('private, no-store');
      expect(anonymous.headers['cache-control'] ?? '').not.toMatch(/private/);
      expect(targeted.headers.vary).toMatch(/X-Consent-Token/i);
      expect(targeted.headers['x-personalization-key']).not.toBe(anonymous.headers['x-personalization-key']);
    });

    it('varies a type that is not enabled on the consent headers when it reaches one', async () => {
      const response = await get('/api/authors?populate[articles]=true').expect(200);
      expect(response.headers.vary).toMatch(/X-Consent-Token/i);
      expect(response.headers['x-personalization-key']).toBeTruthy();
    });

    it('populates below a served entry from the variant\'s own relations', async () => {
      const expected = await direct({ 'X-Consent-Token': outdoorToken });
      expect(expected.author).toBe('Bob');
      const response = await get('/api/homepage?populate[featured][populate]=author', { 'X-Consent-Token': outdoorToken }).expect(200);
      expect(response.body.data.featured.title).toBe('Five trails for you');
      expect(response.body.data.featured.author.name).toBe('Bob');
      const generic = await get('/api/homepage?populate[featured][populate]=author').expect(200);
      // The winter campaign is a clone of the base and keeps its author.
      expect(generic.body.data.featured.author.name).toBe('Ada');
    });

    it('does the same for GraphQL nested fields', async () => {
      const query = `{
        homepage { featured { documentId title personalization { variant kind reason } author { name } } }
        authors(filters: { name: { eq: "Ada" } }) { articles { documentId title personalization { variant kind reason } } }
      }`;
      for (const [visitor, headers] of await visitors()) {
        const expected = await direct(headers);
        const response = await graphql(query, headers).expect(200);
        expect(response.body.errors).toBeUndefined();
        const featured = response.body.data.homepage.featured;
        expect({ visitor, title: featured.title, personalization: featured.personalization, author: featured.author.name }).toEqual({
          visitor,
          title: expected.title,
          personalization: expected.personalization,
          author: expected.author,
        });
        const fromAuthor = response.body.data.authors[0].articles.find((entry: any) => entry.documentId === trailsId);
        expect({ visitor, title: fromAuthor.title, personalization: fromAuthor.personalization }).toEqual({
          visitor,
          title: expected.title,
          personalization: expected.personalization,
        });
        noVariantIds(response.body);
      }
      const targeted = await graphql(query, { 'X-Consent-Token': outdoorToken });
      expect(targeted.headers['cache-control']).toMatch(/private/);
    });

    it('reads a served entry\'s GraphQL relations from the variant at the top level too', async () => {
      const query = `{ article(documentId: "${trailsId}") { title author { name } } }`;
      const response = await graphql(query, { 'X-Consent-Token': outdoorToken }).expect(200);
      expect(response.body.data.article).toEqual({ title: 'Five trails for you', author: { name: 'Bob' } });
    });
  });

  describe('variant documents never appear through a relation', () => {
    const restForms = [
      '/api/authors?populate[articles]=1',
      '/api/authors?populate[articles]=t',
      '/api/authors?populate[articles]=true',
      '/api/authors?populate=*',
      '/api/authors?populate=articles',
      '/api/authors?populate[0]=articles',
      '/api/authors?populate[articles][populate]=*',
      '/api/authors?populate[articles][fields][0]=title',
      '/api/authors?populate[articles][count]=true',
      '/api/authors?populate[articles]=1&status=draft',
      '/api/authors?populate[articles][populate][author][populate][articles]=true',
      '/api/homepage?populate[featured][populate][author][populate]=articles',
      '/api/homepage?populate[sections][on][blocks.featured-articles][populate][articles][populate][author][populate]=articles',
      '/api/homepage?populate[sections][populate]=*',
      '/api/articles?populate[related][populate][articles][populate]=author',
      '/api/articles?populate[author][populate][articles]=true&status=draft',
    ];

    it.each(restForms)('%s', async (path) => {
      const response = await get(path).expect(200);
      noVariantIds(response.body);
      // The mass variant is for everyone; the targeted one needs consent this request lacks.
      expect(JSON.stringify(response.body)).not.toMatch(/for you/);
    });

    it('reads what lies below a served variant as a published entry reads it: no draft comes along', async () => {
      const ada = (await strapi.documents(AUTHOR).findMany({ filters: { name: 'Ada' } } as any))[0];
      const draft = await strapi.documents(ARTICLE).create({ locale: 'en', data: { title: 'Unpublished draft by Ada', author: ada.documentId } } as any);
      try {
        for (const path of [
          `/api/articles/${trailsId}?populate[author][populate]=articles`,
          '/api/homepage?populate[featured][populate][author][populate]=articles',
        ]) {
          const response = await get(path).expect(200);
          expect(JSON.stringify(response.body)).toContain('Winter campaign');
          expect(JSON.stringify(response.body)).not.toContain('Unpublished draft');
        }
      } finally {
        await strapi.documents(ARTICLE).delete({ documentId: draft.documentId, locale: '*' } as any);
      }
    });

    it('leaves a malformed field selection to Strapi\'s 400', async () => {
      await get(`/api/articles/${trailsId}?fields[$eq]=x`).expect(400);
      await get(`/api/articles/${trailsId}`).expect(200);
    });

    it('counts related entries without their variants', async () => {
      const response = await get('/api/authors?populate[articles][count]=true&filters[name][$eq]=Ada').expect(200);
      expect(response.body.data[0].articles).toEqual({ count: 1 });
    });

    it('never matches a relation filter through a variant', async () => {
      const byText = await get('/api/authors?filters[articles][title][$contains]=for you').expect(200);
      expect(byText.body.data).toEqual([]);
      const byDocumentId = await get(`/api/authors?filters[articles][documentId][$eq]=${outdoor.variantDocumentId}`).expect(200);
      expect(byDocumentId.body.data).toEqual([]);
      // A single type answers 404 when its filters match nothing.
      await get('/api/homepage?filters[featured][author][articles][title][$contains]=Winter').expect(404);
      await get('/api/homepage?filters[featured][author][articles][title][$contains]=Five trails').expect(200);
      // A filter that matches the base still matches.
      const base = await get('/api/authors?filters[articles][title][$contains]=Five trails').expect(200);
      expect(base.body.data.map((author: any) => author.name)).toEqual(['Ada']);
    });

    it('keeps GraphQL association fields, connections and their totals free of variants', async () => {
      const response = await graphql(`{
        authors { name articles { documentId title } articles_connection { nodes { documentId } } }
        homepage { featured { author { articles { documentId } } } highlights_connection { nodes { documentId } } }
        articles_connection { pageInfo { total } }
      }`);
      expect(response.body.errors).toBeUndefined();
      expect(response.status).toBe(200);
      noVariantIds(response.body);
      const ada = response.body.data.authors.find((author: any) => author.name === 'Ada');
      expect(ada.articles_connection.nodes.map((node: any) => node.documentId)).toEqual([trailsId]);
      expect(response.body.data.articles_connection.pageInfo.total).toBe(2);
      expect(response.body.data.homepage.highlights_connection.nodes).toHaveLength(2);
    });

    it('keeps variants out of the Content Manager relation picker and relation lists', async () => {
      const picker = await http()
        .get(`/content-manager/relations/${HOMEPAGE}/featured?locale=en&pageSize=100`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(picker.body.results.length).toBeGreaterThan(0);
      noVariantIds(picker.body);
      const authors = await strapi.documents(AUTHOR).findMany({ filters: { name: 'Ada' } } as any);
      const existing = await http()
        .get(`/content-manager/relations/${AUTHOR}/${authors[0].documentId}/articles?pageSize=100`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(existing.body.results.map((entry: any) => entry.documentId)).toEqual([trailsId]);
      // The edit view still opens a variant, and its own relations.
      const edit = await http()
        .get(`/content-manager/collection-types/${ARTICLE}/${outdoor.variantDocumentId}?locale=en`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(edit.body.data.title).toBe('Five trails for you');
      const own = await http()
        .get(`/content-manager/relations/${ARTICLE}/${outdoor.variantDocumentId}/author?locale=en`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(own.body.results.map((entry: any) => entry.name)).toEqual(['Bob']);
    });
  });

  describe('what related entries cost', () => {
    const setEnabled = async (documentId: string, enabled: boolean) => {
      await strapi.db.query('plugin::personalization.variant').update({ where: { documentId }, data: { enabled } });
      await strapi.plugin('personalization').service('variant-index').rebuild();
    };

    it('costs no query when nothing is served, and one per content type served, once per change', async () => {
      const page = '/api/homepage?populate[featured]=true&populate[highlights]=true&populate[sections][on][blocks.featured-articles][populate]=articles';
      const warm = await token(['personalization'], { interests: ['city'] });
      await get(page, { 'X-Consent-Token': warm }).expect(200);
      await setEnabled(outdoor.documentId, false);
      await setEnabled(winter.documentId, false);
      try {
        const noneLive = await countQueries(strapi, () => get(page).expect(200));
        await setEnabled(outdoor.documentId, true);
        // Variants live, none served to this visitor.
        const noneServed = await countQueries(strapi, () => get(page, { 'X-Consent-Token': warm }).expect(200));
        expect(noneServed.result.body.data.featured.personalization.reason).toBe('rule-false');
        expect(noneServed.queries).toBe(noneLive.queries);
        // The same article served in three places of the page: one read of its variant row.
        const first = await countQueries(strapi, () => get(page, { 'X-Consent-Token': outdoorToken }).expect(200));
        expect(first.result.body.data.featured.personalization.kind).toBe('targeted');
        expect(first.result.body.data.sections[0].articles[0].personalization.kind).toBe('targeted');
        expect(first.queries).toBe(noneLive.queries + 1);
        const again = await countQueries(strapi, () => get(page, { 'X-Consent-Token': outdoorToken }).expect(200));
        expect(again.queries).toBe(noneLive.queries);
        expect(again.result.body).toEqual(first.result.body);
      } finally {
        await setEnabled(outdoor.documentId, true);
        await setEnabled(winter.documentId, true);
      }
    });
  });

  describe('X-Personalization-Key is a cache key', () => {
    const pages = [
      `/api/articles/${'TRAILS'}`,
      '/api/homepage?populate=featured',
      '/api/authors?populate[articles]=true',
      '/api/homepage?populate[sections][on][blocks.featured-articles][populate]=articles',
    ];

    it('gives equal keys only to identical bodies, nested labels included', async () => {
      const headerSets: Array<Record<string, string>> = [
        {},
        { 'X-Consent-Token': 'garbage' },
        { 'X-Consent-Token': outdoorToken },
        { 'X-Consent-Token': await token(['personalization'], { interests: ['city'] }) },
        { 'X-Consent-Token': await token(['measurement']) },
        { 'Sec-GPC': '1' },
      ];
      for (const page of pages) {
        const bodies = new Map<string, string>();
        for (const headers of headerSets) {
          const response = await get(page.replace('TRAILS', trailsId), headers).expect(200);
          const key = response.headers['x-personalization-key'];
          const body = JSON.stringify(response.body);
          if (bodies.has(key)) expect({ page, headers, body }).toEqual({ page, headers, body: bodies.get(key) });
          bodies.set(key, body);
        }
      }
    });

    it('tells a visitor without a token from one with a malformed token when only targeted variants are live', async () => {
      await strapi.db.query('plugin::personalization.variant').update({ where: { documentId: winter.documentId }, data: { enabled: false } });
      await strapi.plugin('personalization').service('variant-index').rebuild();
      try {
        const none = await get('/api/homepage?populate=featured').expect(200);
        const malformed = await get('/api/homepage?populate=featured', { 'X-Consent-Token': 'garbage' }).expect(200);
        expect(none.body.data.featured.personalization.reason).toBe('no-token');
        expect(malformed.body.data.featured.personalization.reason).toBe('token-malformed');
        expect(none.headers['x-personalization-key']).not.toBe(malformed.headers['x-personalization-key']);
      } finally {
        await strapi.db.query('plugin::personalization.variant').update({ where: { documentId: winter.documentId }, data: { enabled: true } });
        await strapi.plugin('personalization').service('variant-index').rebuild();
      }
    });

    it('never lets a shared cache store a mass variant that requires a purpose', async () => {
      await strapi.db.query('plugin::personalization.variant').update({
        where: { documentId: winter.documentId },
        data: { requiredPurposes: ['measurement'] },
      });
      await strapi.plugin('personalization').service('variant-index').rebuild();
      try {
        const anonymous = await get('/api/homepage?populate=featured').expect(200);
        expect(anonymous.body.data.featured.title).toBe('Five trails for a long weekend');
        expect(anonymous.headers['cache-control'] ?? '').not.toMatch(/private/);
        const measured = await get('/api/homepage?populate=featured', { 'X-Consent-Token': await token(['measurement']) }).expect(200);
        expect(measured.body.data.featured.title).toBe('Winter campaign');
        expect(measured.headers['cache-control']).toBe('private, no-store');
      } finally {
        await strapi.db.query('plugin::personalization.variant').update({ where: { documentId: winter.documentId }, data: { requiredPurposes: [] } });
        await strapi.plugin('personalization').service('variant-index').rebuild();
      }
    });
  });

  describe('content-API writes cannot touch variants or end the process', () => {
    const withToken = (call: request.Test) => call.set('Authorization', `Bearer ${fullAccess}`);

    async function variantRows(documentId: string) {
      return strapi.db.query(ARTICLE).findMany({ where: { documentId, variantOf: { $notNull: true } } });
    }

    async function stillServing() {
      const response = await get('/api/articles').expect(200);
      expect(response.body.data.length).toBe(2);
    }

    it('refuses to write variantOf on update, names it, and keeps serving', async () => {
      const response = await withToken(http().put(`/api/articles/${otherId}`)).send({ data: { variantOf: trailsId } }).expect(400);
      expect(JSON.stringify(response.body.error)).toContain('variantOf');
      const rows = await strapi.db.query(ARTICLE).findMany({ where: { documentId: otherId } });
      expect(rows.every((row: any) => row.variantOf === null)).toBe(true);
      await stillServing();
    });

    it('refuses to write variantOf on create, and keeps serving', async () => {
      const before = await strapi.db.query(ARTICLE).count({});
      const response = await withToken(http().post('/api/articles')).send({ data: { title: 'Sneaky', variantOf: trailsId } }).expect(400);
      expect(JSON.stringify(response.body.error)).toContain('variantOf');
      expect(await strapi.db.query(ARTICLE).count({})).toBe(before);
      await stillServing();
    });

    it.each([
      ['update', (id: string) => http().put(`/api/articles/${id}`).send({ data: { title: 'Overwritten' } })],
      ['delete', (id: string) => http().delete(`/api/articles/${id}`)],
    ])('answers 404 to %s of a variant document and changes nothing', async (_action, call) => {
      const rowsBefore = await variantRows(outdoor.variantDocumentId);
      await withToken(call(outdoor.variantDocumentId)).expect(404);
      const rowsAfter = await variantRows(outdoor.variantDocumentId);
      expect(rowsAfter.map((row: any) => [row.id, row.title])).toEqual(rowsBefore.map((row: any) => [row.id, row.title]));
      const records = await http().get(`/personalization/variants/${ARTICLE}/${trailsId}`).set('Authorization', `Bearer ${admin}`).expect(200);
      expect(records.body.data.map((record: any) => record.key).sort()).toEqual(['outdoor', 'winter']);
      await stillServing();
    });

    it('refuses data that is not an object, before Strapi writes it, and keeps serving', async () => {
      for (const data of [[], 'text', null, 1]) {
        const response = await withToken(http().put(`/api/articles/${otherId}?locale=de`)).send({ data }).expect(400);
        expect(JSON.stringify(response.body.error)).toContain('data');
      }
      await stillServing();
    });

    it('refuses GraphQL mutations on a variant document', async () => {
      const response = await http()
        .post('/graphql')
        .set('Authorization', `Bearer ${fullAccess}`)
        .send({ query: `mutation { updateArticle(documentId: "${outdoor.variantDocumentId}", data: { title: "Overwritten" }) { title } }` })
        .expect(200);
      expect(response.body.errors?.length).toBeGreaterThan(0);
      const rows = await variantRows(outdoor.variantDocumentId);
      expect(rows.every((row: any) => row.title === 'Five trails for you')).toBe(true);
    });

    it('refuses to link a variant document through a relation', async () => {
      await withToken(http().put(`/api/articles/${otherId}`))
        .send({ data: { related: { articles: [outdoor.variantDocumentId] } } })
        .expect((response) => expect(response.status).toBeGreaterThanOrEqual(400));
      const response = await get(`/api/articles/${otherId}?populate[related][populate]=articles`).expect(200);
      noVariantIds(response.body);
    });

    it('survives every bad write above in a row', async () => {
      const attempts = [
        () => withToken(http().put(`/api/articles/${otherId}`)).send({ data: { variantOf: winter.variantDocumentId } }),
        () => withToken(http().post('/api/articles')).send({ data: { title: 'x', variantOf: 'nope' } }),
        () => withToken(http().put(`/api/articles/${winter.variantDocumentId}`)).send({ data: { variantOf: null } }),
        () => withToken(http().delete(`/api/articles/${winter.variantDocumentId}`)),
        () => withToken(http().put(`/api/articles/${otherId}`)).send({ data: { variantOf: { $ne: null } } }),
        () => withToken(http().put(`/api/articles/${otherId}`)).send({ data: { related: { articles: [winter.variantDocumentId] } } }),
      ];
      for (const attempt of attempts) {
        const response = await attempt();
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
      await stillServing();
      const home = await get('/api/homepage?populate=featured').expect(200);
      expect(home.body.data.featured.title).toBe('Winter campaign');
    });
  });
});
