/**
 * What editors read and what keeps their rules meaningful: the catalogue's values and ranges,
 * enforced on save with 400s naming the node; each variant's status and reachability warnings;
 * the segments' users; the overview of personalized entries; served counts; the missing purpose.
 */
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { ARTICLE, consentToken, postVariant, publishVariantDocument, startWithGenericArticle } from '../helpers/content';
import { stopStrapi } from '../helpers/strapi';
import { servedLine } from '../../server/src/services/served-counts';

const DAY = 24 * 3600_000;
const ATTRIBUTES = {
  interests: { type: 'string[]', source: 'token', purpose: 'personalization', values: ['outdoor', 'city'] },
  ageGroup: { type: 'string', source: 'token', purpose: 'personalization', title: 'Age group', values: ['18-24', '25-34'] },
  country: { type: 'string', source: 'token', purpose: 'personalization' },
};

describe('editors: catalogue values, warnings, status, overview, served counts', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const variant = (body: Record<string, unknown>) => postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, ...body });
  const list = async () => (await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200)).body.data;

  beforeAll(async () => {
    // Served counts are flushed by the tests themselves: the timer must not empty the buffer under them.
    ({ strapi, admin, baseId } = await startWithGenericArticle({ config: { attributes: ATTRIBUTES, servedCounts: { flushIntervalMs: 60_000 } } }));
  }, 120_000);

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('describes values, ranges, day names and the operators each attribute allows', async () => {
    const { body } = await as(http().get('/personalization/catalogue')).expect(200);
    const byName = new Map(body.data.attributes.map((attribute: any) => [attribute.name, attribute]));
    expect(byName.get('hour')).toMatchObject({ min: 0, max: 23, integer: true, personal: false, purpose: null });
    expect(byName.get('weekday')).toMatchObject({ min: 0, max: 6, labels: { 0: 'Sunday', 1: 'Monday', 6: 'Saturday' } });
    expect(byName.get('ageGroup')).toMatchObject({ title: 'Age group', values: ['18-24', '25-34'], personal: true });
    expect((byName.get('country') as any).operators).not.toContain('semver_gte');
    expect((byName.get('hour') as any).operators).toEqual(expect.arrayContaining(['<', '<=', '>', '>=', '==', 'in']));
  });

  describe('values and ranges are enforced on save, naming the node', () => {
    it('refuses hour 25 when a variant is created, and changes nothing', async () => {
      const before = await list();
      const { body } = await as(http().post('/personalization/variants'))
        .send({ contentType: ARTICLE, baseDocumentId: baseId, key: 'night', name: 'Night', kind: 'mass', audience: { and: [{ '<=': [25, { var: 'hour' }, 8] }] } })
        .expect(400);
      expect(body.error.details.field).toBe('audience.and[0].<=[0]');
      expect(body.error.message).toMatch(/25 is not a possible hour: it is a whole number from 0 to 23/);
      expect(await list()).toHaveLength(before.length);
    });

    it('refuses a value the catalogue does not list, and a version operator on country, when a variant is updated', async () => {
      const record = await variant({ key: 'young', name: 'Young', audience: { '==': [{ var: 'ageGroup' }, '18-24'] } });
      const teenagers = await as(http().put(`/personalization/variants/${record.documentId}`))
        .send({ audience: { '==': [{ var: 'ageGroup' }, 'teenagers'] } })
        .expect(400);
      expect(teenagers.body.error.details.field).toBe('audience.==[1]');
      expect(teenagers.body.error.message).toMatch(/"teenagers" is not a value of ageGroup; allowed: "18-24", "25-34"/);
      const semver = await as(http().put(`/personalization/variants/${record.documentId}`))
        .send({ audience: { or: [{ semver_gte: [{ var: 'country' }, '1.0.0'] }] } })
        .expect(400);
      expect(semver.body.error.details.field).toBe('audience.or[0]');
      expect(semver.body.error.message).toMatch(/"semver_gte" does not apply to country, which is text/);
      const stored = (await list()).find((item: any) => item.key === 'young');
      expect(stored.audience).toEqual({ '==': [{ var: 'ageGroup' }, '18-24'] });
      await as(http().delete(`/personalization/variants/${record.documentId}`)).expect(200);
    });

    it('refuses weekday 7 when a segment is created or updated', async () => {
      const created = await as(http().post('/personalization/segments'))
        .send({ name: 'Sunday', key: 'sunday', rule: { '==': [{ var: 'weekday' }, 7] } })
        .expect(400);
      expect(created.body.error.details.field).toBe('rule.==[1]');
      expect(created.body.error.message).toMatch(/7 is not a possible weekday/);
      const segment = (await as(http().post('/personalization/segments')).send({ name: 'City', key: 'city', rule: { in: ['city', { var: 'interests' }] } }).expect(201)).body.data;
      const updated = await as(http().put(`/personalization/segments/${segment.documentId}`))
        .send({ rule: { in: ['mountains', { var: 'interests' }] } })
        .expect(400);
      expect(updated.body.error.details.field).toBe('rule.in[0]');
      expect(updated.body.error.message).toMatch(/"mountains" is not a value of interests/);
    });
  });

  describe('with variants in every state', () => {
    const now = Date.now();
    const iso = (at: number) => new Date(at).toISOString();

    beforeAll(async () => {
      const published = async (body: Record<string, unknown>) => {
        const record = await variant(body);
        await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data: () => ({ title: body.name }) });
        return record;
      };
      // Priorities follow creation order; the list gives targeted first, then mass.
      await published({ key: 'everyone', name: 'Everyone', kind: 'mass' });
      await published({ key: 'weekend', name: 'Weekend', kind: 'mass', audience: { in: [{ var: 'weekday' }, [0, 6]] } });
      await published({ key: 'city', name: 'City', segments: ['city'] });
      await published({ key: 'city-young', name: 'City and young', segments: ['city'], audience: { '==': [{ var: 'ageGroup' }, '18-24'] } });
      await published({ key: 'marketing', name: 'Marketing', requiredPurposes: ['marketing'], audience: { '==': [{ var: 'ageGroup' }, '25-34'] } });
      await published({ key: 'past', name: 'Past', startsAt: iso(now - 3 * DAY), endsAt: iso(now - DAY) });
      await published({ key: 'soon', name: 'Soon', startsAt: iso(now + DAY) });
      await published({ key: 'off', name: 'Off', enabled: false });
      await variant({ key: 'unpublished', name: 'Unpublished' });
    }, 120_000);

    it('lists variants in evaluation order with their status and the warnings that are certain', async () => {
      const items = await list();
      expect(items.map((item: any) => [item.key, item.kind, item.status])).toEqual([
        ['city', 'targeted', 'live'],
        ['city-young', 'targeted', 'live'],
        ['marketing', 'targeted', 'live'],
        ['past', 'targeted', 'ended'],
        ['soon', 'targeted', 'scheduled'],
        ['off', 'targeted', 'disabled'],
        ['unpublished', 'targeted', 'draft'],
        ['everyone', 'mass', 'live'],
        ['weekend', 'mass', 'live'],
      ]);
      const warnings = Object.fromEntries(items.map((item: any) => [item.key, item.warnings]));
      expect(warnings).toEqual({
        city: [],
        'city-young': [{ code: 'shadowed', by: 'city' }],
        marketing: [],
        past: [{ code: 'schedule-ended', endsAt: iso(now - DAY) }],
        soon: [],
        off: [],
        unpublished: [],
        everyone: [],
        weekend: [{ code: 'mass-after-unconditional', by: 'everyone' }],
      });
      expect(items.find((item: any) => item.key === 'city').publishedLocales).toEqual(['en']);
      expect(items.find((item: any) => item.key === 'unpublished').publishedLocales).toEqual([]);
    });

    it('names the variants that use a segment, in the list and in detail', async () => {
      const { body } = await as(http().get('/personalization/segments')).expect(200);
      const city = body.data.find((segment: any) => segment.key === 'city');
      expect(city.usage).toBe(2);
      expect(city.usedBy.map((user: any) => user.key)).toEqual(['city', 'city-young']);
      expect(city.usedBy[0]).toMatchObject({ name: 'City', kind: 'targeted', contentType: ARTICLE, baseDocumentId: baseId });
    });

    it('lists the personalized entries with their variants’ status in the overview', async () => {
      const { body } = await as(http().get('/personalization/overview')).expect(200);
      expect(body.data.pagination).toEqual({ page: 1, pageSize: 25, total: 1 });
      const [entry] = body.data.entries;
      expect(entry).toMatchObject({ contentType: ARTICLE, contentTypeName: 'Article', documentId: baseId, title: 'Generic' });
      const statuses = Object.fromEntries(entry.variants.map((item: any) => [item.key, item.status]));
      expect(statuses).toMatchObject({ everyone: 'live', past: 'ended', soon: 'scheduled', off: 'disabled', unpublished: 'draft' });
      await as(http().get('/personalization/overview?pageSize=500')).expect(400);
    });

    it('names the purposes a skipped variant needs in the simulator', async () => {
      const { body } = await as(http().post('/personalization/simulate'))
        .send({ contentType: ARTICLE, documentIds: [baseId], purposes: ['personalization'], attributes: { ageGroup: '25-34' } })
        .expect(200);
      const skipped = body.data.entries[0].skipped.find((skip: any) => skip.variant === 'marketing');
      expect(skipped).toMatchObject({ reason: 'consent-missing', missingPurposes: ['marketing'] });
    });

    it('counts what was served per variant, with its share, writing nothing on the request path', async () => {
      const counts = strapi.plugin('personalization').service('served-counts');
      await counts.flush();
      const city = await consentToken(strapi, ['personalization'], { interests: ['city'] });
      const writes: string[] = [];
      const knex = strapi.db.connection as any;
      const onQuery = (query: { sql: string }) => {
        if (strapi.requestContext.get() && /^\s*(insert|update|delete)/i.test(query.sql)) writes.push(query.sql);
      };
      knex.on('query', onQuery);
      try {
        for (let i = 0; i < 3; i += 1) {
          const anonymous = await http().get(`/api/articles/${baseId}`).expect(200);
          expect(anonymous.body.data.personalization.variant).toBe('everyone');
        }
        const targeted = await http().get('/api/articles').set('X-Consent-Token', city).expect(200);
        expect(targeted.body.data[0].personalization.variant).toBe('city');
        // An editor's preview and a crawler are not visitors.
        await http().get(`/api/articles/${baseId}`).set('X-Personalization-Preview', '1').expect(200);
        await http().get(`/api/articles/${baseId}`).set('User-Agent', 'Googlebot/2.1 (+http://www.google.com/bot.html)').expect(200);
      } finally {
        knex.removeListener('query', onQuery);
      }
      expect(writes).toEqual([]);
      expect(counts.pending()).toBeGreaterThan(0);
      // The whole batch is one statement that adds in the database, whatever the number of rows.
      const flushed: string[] = [];
      const onFlushQuery = (query: { sql: string }) => flushed.push(query.sql);
      knex.on('query', onFlushQuery);
      try {
        await counts.flush();
      } finally {
        knex.removeListener('query', onFlushQuery);
      }
      expect(counts.pending()).toBe(0);
      expect(flushed.filter((sql) => /personalization_served_counts/.test(sql))).toHaveLength(1);
      const { body } = await as(http().get(`/personalization/served?contentType=${ARTICLE}&documentId=${baseId}`)).expect(200);
      expect(body.data.total).toBe(4);
      const byVariant = Object.fromEntries(body.data.counts.map((count: any) => [count.variant ?? '(base)', count]));
      expect(byVariant.everyone).toEqual({ variant: 'everyone', served: 3, share: 0.75 });
      expect(byVariant.city).toEqual({ variant: 'city', served: 1, share: 0.25 });
      expect(byVariant['(base)']).toEqual({ variant: null, served: 0, share: 0 });
      expect(byVariant.weekend).toEqual({ variant: 'weekend', served: 0, share: 0 });
      expect(body.data.to).toBe(new Date().toISOString().slice(0, 10));
    });

    it('counts the same lines under the day each response was served on', async () => {
      const counts = strapi.plugin('personalization').service('served-counts');
      await counts.flush();
      const today = Date.now();
      const yesterday = today - 24 * 3600_000;
      const lines = new Set([servedLine(ARTICLE, 'day-counted-base', 'everyone'), servedLine(ARTICLE, 'day-counted-base', null)]);
      for (const now of [yesterday, today, yesterday, today, today]) counts.recordServed(lines, now);
      await counts.flush();
      const rows = await strapi.db.query('plugin::personalization.served-count').findMany({ where: { baseDocumentId: 'day-counted-base' } });
      const byDayAndVariant = Object.fromEntries(rows.map((row: any) => [`${row.day} ${row.variant || '(base)'}`, Number(row.served)]));
      const day = (instant: number) => new Date(instant).toISOString().slice(0, 10);
      expect(byDayAndVariant).toEqual({
        [`${day(yesterday)} everyone`]: 2,
        [`${day(yesterday)} (base)`]: 2,
        [`${day(today)} everyone`]: 3,
        [`${day(today)} (base)`]: 3,
      });
    });

    it('refuses a served-counts question about a type without personalization, naming the field', async () => {
      const { body } = await as(http().get(`/personalization/served?contentType=api::author.author&documentId=${baseId}`)).expect(400);
      expect(body.error.details.field).toBe('contentType');
      const missing = await as(http().get(`/personalization/served?contentType=${ARTICLE}`)).expect(400);
      expect(missing.body.error.details.field).toBe('documentId');
    });
  });
});
