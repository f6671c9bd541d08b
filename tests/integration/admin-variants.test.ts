import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { stopStrapi, grantPublic } from '../helpers/strapi';
import { startWithGerman } from '../helpers/content';

const ARTICLE = 'api::article.article';
const HOMEPAGE = 'api::homepage.homepage';
const VARIANT = 'plugin::personalization.variant';
const OUTDOOR = { in: ['outdoor', { var: 'interests' }] };

describe('admin API for variants', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let authorId: string;
  let homepageId: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const articleRows = () => strapi.db.query(ARTICLE).count();
  const variantRecords = (where: Record<string, unknown> = {}) => strapi.db.query(VARIANT).count({ where });
  const rowsOf = (documentId: string) => strapi.db.query(ARTICLE).count({ where: { documentId } });

  function post(body: Record<string, unknown>) {
    return as(http().post('/personalization/variants')).send({ contentType: ARTICLE, baseDocumentId: baseId, ...body });
  }

  async function create(body: Record<string, unknown>, documentId = baseId) {
    return (await post({ baseDocumentId: documentId, ...body }).expect(201)).body.data;
  }

  async function list(documentId = baseId) {
    return (await as(http().get(`/personalization/variants/${ARTICLE}/${documentId}`)).expect(200)).body.data;
  }

  /** A published article in the given locales, titled `${title} (${locale})`. */
  async function article(title: string, locales: string[]) {
    const [first, ...rest] = locales;
    const data = (locale: string) => ({
      title: `${title} (${locale})`,
      slug: `${title}-${locale}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      author: authorId,
      cta: { label: `Read ${locale}` },
    });
    const created = await strapi.documents(ARTICLE).create({ locale: first, data: data(first) } as any);
    for (const locale of rest) {
      await strapi.documents(ARTICLE).update({ documentId: created.documentId, locale, data: data(locale) } as any);
    }
    for (const locale of locales) await strapi.documents(ARTICLE).publish({ documentId: created.documentId, locale } as any);
    return created.documentId as string;
  }

  beforeAll(async () => {
    ({ strapi, admin } = await startWithGerman());
    authorId = (await strapi.documents('api::author.author').create({ data: { name: 'Ada' } })).documentId;
    baseId = await article('Generic', ['en', 'de']);
    const home = await strapi.documents(HOMEPAGE).create({ locale: 'en', data: { headline: 'Welcome' } } as any);
    homepageId = home.documentId;
    await strapi.plugin('personalization').service('segments').create({ name: 'Outdoor fans', key: 'outdoor-fans', rule: OUTDOOR });
    await strapi.plugin('personalization').service('segments').create({ name: 'Evenings', key: 'evenings', rule: { '>=': [{ var: 'hour' }, 18] } });
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  afterEach(async () => {
    for (const record of await list()) {
      await as(http().delete(`/personalization/variants/${record.documentId}`)).expect(200);
    }
  });

  describe('create', () => {
    it('clones every locale of the base into a new draft document holding the base content', async () => {
      const before = await articleRows();
      const record = await create({ name: 'Outdoor', key: 'outdoor', audience: OUTDOOR });
      expect(record).toMatchObject({
        name: 'Outdoor',
        key: 'outdoor',
        kind: 'targeted',
        contentType: ARTICLE,
        baseDocumentId: baseId,
        audience: OUTDOOR,
        segments: [],
        requiredPurposes: [],
        priority: 0,
        enabled: true,
        startsAt: null,
        endsAt: null,
        locales: null,
      });
      expect(record.variantDocumentId).toEqual(expect.any(String));
      expect(record.variantDocumentId).not.toBe(baseId);

      // One draft row per base locale, nothing published.
      expect(await articleRows()).toBe(before + 2);
      const rows = await strapi.db.query(ARTICLE).findMany({
        where: { documentId: record.variantDocumentId },
        populate: ['cta', 'author'],
        orderBy: { locale: 'asc' },
      });
      expect(rows.map((row: any) => [row.locale, row.publishedAt])).toEqual([
        ['de', null],
        ['en', null],
      ]);
      for (const row of rows) {
        expect(row.title).toBe(`Generic (${row.locale})`);
        expect(row.cta.label).toBe(`Read ${row.locale}`);
        expect(row.author.documentId).toBe(authorId);
        expect(row.variantOf).toBe(baseId);
        expect(row.slug).toBe(`outdoor-${baseId}`.toLowerCase());
      }

      // The Content Manager opens the variant as a draft with the base's content.
      const edit = await as(http().get(`/content-manager/collection-types/${ARTICLE}/${record.variantDocumentId}?locale=de`)).expect(200);
      expect(edit.body.data.title).toBe('Generic (de)');
      expect(edit.body.data.status).toBe('draft');
    });

    it('creates variants of single types', async () => {
      const response = await as(http().post('/personalization/variants'))
        .send({ contentType: HOMEPAGE, baseDocumentId: homepageId, name: 'Evening', key: 'evening', kind: 'mass' })
        .expect(201);
      const rows = await strapi.db.query(HOMEPAGE).findMany({ where: { documentId: response.body.data.variantDocumentId } });
      expect(rows.map((row: any) => [row.headline, row.variantOf, row.publishedAt])).toEqual([['Welcome', homepageId, null]]);
      await as(http().delete(`/personalization/variants/${response.body.data.documentId}`)).expect(200);
      expect(await strapi.db.query(HOMEPAGE).count({ where: { documentId: response.body.data.variantDocumentId } })).toBe(0);
    });
  });

  describe('list, update, reorder, delete', () => {
    it('lists the variants of an entry in priority order, a new one last unless given a priority', async () => {
      await create({ name: 'Late', key: 'late', priority: 5 });
      await create({ name: 'Default', key: 'default' });
      await create({ name: 'Urgent', key: 'urgent', priority: 0 });
      const records = await list();
      expect(records.map((record: any) => [record.key, record.priority])).toEqual([
        ['urgent', 0],
        ['default', 1],
        ['late', 5],
      ]);
      const other = await article('Other', ['en']);
      expect(await list(other)).toEqual([]);
    });

    it('updates the settings of a variant', async () => {
      const record = await create({ name: 'Outdoor', key: 'outdoor', audience: OUTDOOR });
      const startsAt = '2030-01-01T00:00:00.000Z';
      const endsAt = '2030-02-01T00:00:00.000Z';
      const response = await as(http().put(`/personalization/variants/${record.documentId}`))
        .send({
          name: 'Outdoor in winter',
          audience: { in: ['ski', { var: 'interests' }] },
          segments: ['outdoor-fans'],
          requiredPurposes: ['marketing'],
          enabled: false,
          startsAt,
          endsAt,
          locales: ['de'],
        })
        .expect(200);
      expect(response.body.data).toMatchObject({ name: 'Outdoor in winter', segments: ['outdoor-fans'], enabled: false, locales: ['de'] });
      const [stored] = await list();
      expect(stored).toMatchObject({
        key: 'outdoor',
        name: 'Outdoor in winter',
        audience: { in: ['ski', { var: 'interests' }] },
        segments: ['outdoor-fans'],
        requiredPurposes: ['marketing'],
        enabled: false,
        locales: ['de'],
      });
      expect(Date.parse(stored.startsAt)).toBe(Date.parse(startsAt));
      expect(Date.parse(stored.endsAt)).toBe(Date.parse(endsAt));
    });

    it.each([
      ['an unknown field', { colour: 'red' }, 'colour', /colour/],
      ['the key, which is fixed', { key: 'other' }, 'key', /key/],
      ['an invalid audience', { audience: { '==': [{ var: 'shoeSize' }, 1] } }, 'audience.==[0]', /shoeSize/],
      ['a switch to mass while the audience reads a personal attribute', { kind: 'mass' }, 'audience', /interests/],
      ['an end before the stored start', { endsAt: '2029-01-01T00:00:00Z' }, 'endsAt', /startsAt/],
    ])('refuses an update with %s and keeps the variant as it was', async (_, body, field, message) => {
      const record = await create({ name: 'Outdoor', key: 'outdoor', audience: OUTDOOR, startsAt: '2030-01-01T00:00:00Z' });
      const response = await as(http().put(`/personalization/variants/${record.documentId}`)).send(body).expect(400);
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.message).toMatch(message);
      const [stored] = await list();
      expect(stored).toMatchObject({ key: 'outdoor', kind: 'targeted', audience: OUTDOOR, endsAt: null });
    });

    it('answers 404 when updating or deleting an unknown variant', async () => {
      await as(http().put('/personalization/variants/nope')).send({ name: 'x' }).expect(404);
      await as(http().delete('/personalization/variants/nope')).expect(404);
    });

    it('reorders the variants of an entry and refuses an order that is not a permutation', async () => {
      await create({ name: 'A', key: 'a' });
      await create({ name: 'B', key: 'b' });
      await create({ name: 'C', key: 'c' });
      const reordered = await as(http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: ['c', 'a', 'b'] }).expect(200);
      expect(reordered.body.data.map((record: any) => [record.key, record.priority])).toEqual([
        ['c', 0],
        ['a', 1],
        ['b', 2],
      ]);

      const missing = await as(http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: ['c', 'a'] }).expect(400);
      expect(missing.body.error.details.field).toBe('keys');
      const unknown = await as(http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: ['c', 'x', 'a'] }).expect(400);
      expect(unknown.body.error.details.field).toBe('keys[1]');
      const twice = await as(http().put(`/personalization/variants/${ARTICLE}/${baseId}/order`)).send({ keys: ['c', 'c', 'a'] }).expect(400);
      expect(twice.body.error.details.field).toBe('keys');
      expect((await list()).map((record: any) => record.key)).toEqual(['c', 'a', 'b']);
    });

    it('deletes the record and every locale of the variant document, and leaves the base alone', async () => {
      const record = await create({ name: 'Outdoor', key: 'outdoor' });
      expect(await rowsOf(record.variantDocumentId)).toBe(2);
      const baseRows = await rowsOf(baseId);
      await as(http().delete(`/personalization/variants/${record.documentId}`)).expect(200);
      expect(await rowsOf(record.variantDocumentId)).toBe(0);
      expect(await variantRecords({ documentId: record.documentId })).toBe(0);
      expect(await rowsOf(baseId)).toBe(baseRows);
    });
  });

  describe('refusing bad input with a 400 that names the field, creating nothing', () => {
    it.each<[string, () => Record<string, unknown>, string, RegExp]>([
      ['an unknown field', () => ({ colour: 'red' }), 'colour', /colour/],
      ['a name of the wrong type', () => ({ name: 42 }), 'name', /string/],
      ['enabled of the wrong type', () => ({ enabled: 'yes' }), 'enabled', /boolean/],
      ['an unknown kind', () => ({ kind: 'everyone' }), 'kind', /targeted/],
      ['a malformed key', () => ({ key: 'Not A Key' }), 'key', /a-z/],
      ['an unknown base', () => ({ baseDocumentId: 'doesnotexist' }), 'baseDocumentId', /doesnotexist/],
      ['a base of another content type', () => ({ baseDocumentId: homepageId }), 'baseDocumentId', new RegExp(homepageId)],
      ['a content type without personalization', () => ({ contentType: 'api::author.author', baseDocumentId: authorId }), 'contentType', /api::author\.author/],
      ['an unknown content type', () => ({ contentType: 'api::nope.nope' }), 'contentType', /api::nope\.nope/],
      ['a priority that is not a number', () => ({ priority: 'high' }), 'priority', /number/],
      ['an audience reading an unknown attribute', () => ({ audience: { '==': [{ var: 'shoeSize' }, 42] } }), 'audience.==[0]', /shoeSize/],
      ['an audience with a refused operator', () => ({ audience: { and: [true, { eval: ['1'] }] } }), 'audience.and[1]', /eval/],
      ['a mass variant reading a personal attribute', () => ({ kind: 'mass', audience: OUTDOOR }), 'audience', /"interests"/],
      ['a mass variant reading a context attribute that needs consent', () => ({ kind: 'mass', audience: { '==': [{ var: 'device' }, 'mobile'] } }), 'audience', /"device"/],
      ['a mass variant whose segment reads a personal attribute', () => ({ kind: 'mass', segments: ['evenings', 'outdoor-fans'] }), 'segments[1]', /"interests"/],
      ['an unknown purpose', () => ({ requiredPurposes: ['telepathy'] }), 'requiredPurposes[0]', /telepathy/],
      ['a purpose of the wrong type', () => ({ requiredPurposes: ['marketing', 5] }), 'requiredPurposes[1]', /string/],
      ['an unknown segment', () => ({ segments: ['outdoor-fans', 'nope'] }), 'segments[1]', /nope/],
      ['an end before the start', () => ({ startsAt: '2030-02-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }), 'endsAt', /startsAt/],
      ['a start that is not a date', () => ({ startsAt: 'tomorrow' }), 'startsAt', /./],
      ['an unknown locale', () => ({ locales: ['en', 'xx'] }), 'locales[1]', /xx/],
    ])('refuses %s', async (_, body, field, message) => {
      const [articles, records] = [await articleRows(), await variantRecords()];
      const response = await post({ name: 'Refused', key: 'refused', ...body() }).expect(400);
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.message).toMatch(message);
      expect(await articleRows()).toBe(articles);
      expect(await variantRecords()).toBe(records);
    });

    it('refuses a duplicate key on the same entry, and accepts it on another', async () => {
      await create({ name: 'Outdoor', key: 'outdoor' });
      const [articles, records] = [await articleRows(), await variantRecords()];
      const response = await post({ name: 'Again', key: 'outdoor' }).expect(400);
      expect(response.body.error.details.field).toBe('key');
      expect(response.body.error.message).toMatch(/outdoor/);
      expect(await articleRows()).toBe(articles);
      expect(await variantRecords()).toBe(records);

      const other = await article('Elsewhere', ['en']);
      const elsewhere = await create({ name: 'Outdoor', key: 'outdoor' }, other);
      await as(http().delete(`/personalization/variants/${elsewhere.documentId}`)).expect(200);
    });

    it('refuses a variant as the base of another variant', async () => {
      const record = await create({ name: 'Outdoor', key: 'outdoor' });
      const [articles, records] = [await articleRows(), await variantRecords()];
      const response = await post({ name: 'Nested', key: 'nested', baseDocumentId: record.variantDocumentId }).expect(400);
      expect(response.body.error.details.field).toBe('baseDocumentId');
      expect(await articleRows()).toBe(articles);
      expect(await variantRecords()).toBe(records);
    });

    it('rolls the clone back when storing the record fails after it', async () => {
      const [articles, records] = [await articleRows(), await variantRecords()];
      const repository = strapi.db.query(VARIANT);
      const spy = jest.spyOn(repository, 'create').mockRejectedValueOnce(new Error('injected failure after the clone'));
      const quiet = jest.spyOn(strapi.log, 'error').mockImplementation(() => strapi.log);
      try {
        await post({ name: 'Doomed', key: 'doomed' }).expect(500);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
        quiet.mockRestore();
      }
      expect(await articleRows()).toBe(articles);
      expect(await variantRecords()).toBe(records);
      expect(await strapi.db.query(ARTICLE).count({ where: { variantOf: baseId } })).toBe(0);
      // The next create works: nothing was left locked or half-written.
      const record = await create({ name: 'Fine', key: 'doomed' });
      expect(await rowsOf(record.variantDocumentId)).toBe(2);
    });
  });

  describe('cleanup when documents are deleted elsewhere', () => {
    async function variantsOfNewBase(locales: string[]) {
      const documentId = await article('Doomed base', locales);
      const first = await create({ name: 'One', key: 'one' }, documentId);
      const second = await create({ name: 'Two', key: 'two' }, documentId);
      return { documentId, variantDocumentIds: [first.variantDocumentId, second.variantDocumentId] };
    }

    async function expectGone(documentId: string, variantDocumentIds: string[]) {
      expect(await variantRecords({ baseDocumentId: documentId })).toBe(0);
      for (const id of variantDocumentIds) expect(await rowsOf(id)).toBe(0);
    }

    it('deletes the variants when the base is deleted through the document service', async () => {
      const { documentId, variantDocumentIds } = await variantsOfNewBase(['en', 'de']);
      await strapi.documents(ARTICLE).delete({ documentId, locale: '*' } as any);
      expect(await rowsOf(documentId)).toBe(0);
      await expectGone(documentId, variantDocumentIds);
    });

    it('deletes the variants when the base is deleted through the content API, which hides variant rows', async () => {
      await grantPublic(strapi, [`${ARTICLE}.delete`]);
      const { documentId, variantDocumentIds } = await variantsOfNewBase(['en']);
      await http().delete(`/api/articles/${documentId}`).expect(204);
      expect(await rowsOf(documentId)).toBe(0);
      await expectGone(documentId, variantDocumentIds);
    });

    it('deletes the variants when the last locale of the base is deleted in the Content Manager', async () => {
      const { documentId, variantDocumentIds } = await variantsOfNewBase(['en', 'de']);
      await as(http().delete(`/content-manager/collection-types/${ARTICLE}/${documentId}?locale=en`)).expect(200);
      // The base lives on in German: its variants stay.
      expect(await variantRecords({ baseDocumentId: documentId })).toBe(2);
      for (const id of variantDocumentIds) expect(await rowsOf(id)).toBe(2);

      await as(http().delete(`/content-manager/collection-types/${ARTICLE}/${documentId}?locale=de`)).expect(200);
      expect(await rowsOf(documentId)).toBe(0);
      await expectGone(documentId, variantDocumentIds);
    });

    it('deletes the variants when the base is deleted in every locale at once in the Content Manager', async () => {
      const { documentId, variantDocumentIds } = await variantsOfNewBase(['en', 'de']);
      await as(http().delete(`/content-manager/collection-types/${ARTICLE}/${documentId}?locale=*`)).expect(200);
      expect(await rowsOf(documentId)).toBe(0);
      await expectGone(documentId, variantDocumentIds);
    });

    it('deletes the record when the variant document is deleted in the Content Manager', async () => {
      const record = await create({ name: 'Outdoor', key: 'outdoor' });
      await create({ name: 'Kept', key: 'kept' });
      await as(http().delete(`/content-manager/collection-types/${ARTICLE}/${record.variantDocumentId}?locale=*`)).expect(200);
      expect(await rowsOf(record.variantDocumentId)).toBe(0);
      expect((await list()).map((stored: any) => stored.key)).toEqual(['kept']);
      expect(await rowsOf(baseId)).toBeGreaterThan(0);
    });
  });
});
