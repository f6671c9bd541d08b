import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { adminToken, countQueries, grantPublic, startStrapi, stopStrapi } from '../helpers/strapi';
import { consentToken, postVariant, publishVariantDocument } from '../helpers/content';
import { databaseText } from '../helpers/database';
import { assignArm, rangesOf, SKETCH_RELATIVE_STANDARD_ERROR } from '../../server/src/core/experiments';

const ARTICLE = 'api::article.article';
const MESSAGE = Symbol.for('message');
const VISITORS = 40;

/** The stated estimator error (README "Experiments"): three standard errors, and never below one visitor. */
function withinEstimatorError(estimate: number, exact: number): boolean {
  return Math.abs(estimate - exact) <= Math.max(1, Math.ceil(3 * SKETCH_RELATIVE_STANDARD_ERROR * exact));
}

function claimsOf(token: string): { sub: string; rid: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('experiments: enrolment, arms, measurement, results and promotion', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let experiment: any;
  const logged: string[] = [];

  const http = () => request(strapi.server.httpServer);
  const asAdmin = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const counts = () => strapi.plugin('personalization').service('experiment-counts');
  const arms = [
    { key: 'control', variant: null, weight: 0.5 },
    { key: 'summer', variant: 'summer', weight: 0.5 },
  ];

  function createExperiment(body: Record<string, unknown>) {
    return asAdmin(http().post('/personalization/experiments')).send({
      contentType: ARTICLE,
      baseDocumentId: baseId,
      key: 'hero',
      name: 'Hero test',
      arms,
      goals: ['signup'],
      ...body,
    });
  }

  beforeAll(async () => {
    strapi = await startStrapi();
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`, 'api::homepage.homepage.find']);
    admin = await adminToken(strapi);
    await strapi.plugin('i18n').service('locales').create({ code: 'de', name: 'German (de)' });
    const base = await strapi.documents(ARTICLE).create({ locale: 'en', data: { title: 'Generic', slug: 'generic', cta: { label: 'Read' } } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'en' } as any);
    await strapi.documents(ARTICLE).update({ documentId: base.documentId, locale: 'de', data: { title: 'Allgemein', slug: 'allgemein' } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'de' } as any);
    baseId = base.documentId;
    for (const key of ['summer', 'winter']) {
      // Mass variants for everyone: outside the experiment they would be served to every visitor.
      const variant = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, name: key, key, kind: 'mass' });
      await publishVariantDocument(strapi, ARTICLE, variant.variantDocumentId, {
        locales: ['en', 'de'],
        data: (locale) => ({ title: `${key} (${locale})`, cta: { label: `${key} CTA` } }),
      });
    }
    strapi.log.level = 'silly';
    strapi.log.on('data', (info: any) => logged.push(`${info[MESSAGE] ?? ''} ${JSON.stringify(info)}`));
   }, 180_000);

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  describe('the admin API refuses bad definitions with a 400 naming the field', () => {
    it.each([
      ['an unknown variant key', { arms: [arms[0], { key: 'b', variant: 'autumn', weight: 0.5 }] }, 'arms[1].variant', /unknown variant key "autumn"/],
      ['weights not summing to 1', { arms: [{ ...arms[0], weight: 0.5 }, { ...arms[1], weight: 0.4 }] }, 'arms', /sum to 1/],
      ['fewer than two arms', { arms: [{ ...arms[0], weight: 1 }] }, 'arms', /at least two arms/],
      ['a coverage above 1', { coverage: 1.5 }, 'coverage', /./],
    ])('%s', async (_name, body, field, message) => {
      const response = await createExperiment(body).expect(400);
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.message).toMatch(message);
    });

    it('requires the manage action to create and read to view', async () => {
      await http().post('/personalization/experiments').send({}).expect(401);
      await http().get('/personalization/experiments').expect(401);
    });
  });

  describe('a draft experiment', () => {
    it('changes its arms, weights, coverage and segments before it starts, with the same checks as at creation', async () => {
      const draft = (await createExperiment({ key: 'draft-edit', name: 'Draft edit' }).expect(201)).body.data;
      const put = (body: Record<string, unknown>) => asAdmin(http().put(`/personalization/experiments/${draft.documentId}`)).send(body);
      const unknown = await put({ segments: ['readers'] }).expect(400);
      expect(unknown.body.error.details.field).toBe('segments[0]');
      expect(unknown.body.error.message).toMatch(/unknown segment "readers"/);
      await asAdmin(http().post('/personalization/segments'))
        .send({ name: 'Outdoor readers', key: 'readers', rule: { in: ['outdoor', { var: 'interests' }] } })
        .expect(201);
      const changed = [
        { key: 'control', variant: null, weight: 0.3 },
        { key: 'winter', variant: 'winter', weight: 0.7 },
      ];
      const saved = await put({ arms: changed, coverage: 0.5, segments: ['readers'], key: 'draft-edited' }).expect(200);
      expect(saved.body.data).toMatchObject({ key: 'draft-edited', arms: changed, coverage: 0.5, segments: ['readers'], status: 'draft' });
      const sum = await put({ arms: [changed[0], { ...changed[1], weight: 0.6 }] }).expect(400);
      expect(sum.body.error.details.field).toBe('arms');
      const read = await asAdmin(http().get(`/personalization/experiments/${draft.documentId}`)).expect(200);
      expect(read.body.data).toMatchObject({ arms: changed, coverage: 0.5, segments: ['readers'], seed: draft.seed });
      await asAdmin(http().delete(`/personalization/experiments/${draft.documentId}`)).expect(200);
    });

    it('enrols only visitors in every segment it names, once started', async () => {
      const draft = (await createExperiment({ key: 'segmented', name: 'Segmented', coverage: 1 }).expect(201)).body.data;
      await asAdmin(http().put(`/personalization/experiments/${draft.documentId}`)).send({ segments: ['readers'] }).expect(200);
      await asAdmin(http().post(`/personalization/experiments/${draft.documentId}/start`)).expect(200);
      try {
        const inside = await consentToken(strapi, ['measurement', 'personalization'], { interests: ['outdoor'] });
        const outside = await consentToken(strapi, ['measurement', 'personalization'], { interests: ['cooking'] });
        // The segment reads a personalization attribute: without that purpose the visitor cannot be placed in it.
        const withheld = await consentToken(strapi, ['measurement'], { interests: ['outdoor'] });
        const reasonOf = async (token: string) =>
          (await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200)).body.data.personalization;
        expect(await reasonOf(inside)).toMatchObject({ reason: 'experiment', experiment: 'segmented' });
        expect((await reasonOf(outside)).reason).not.toBe('experiment');
        expect((await reasonOf(withheld)).reason).not.toBe('experiment');
      } finally {
        await asAdmin(http().post(`/personalization/experiments/${draft.documentId}/stop`)).expect(200);
        await asAdmin(http().delete(`/personalization/experiments/${draft.documentId}`)).expect(200);
      }
    });
  });

  describe('a running experiment', () => {
    const tokens: string[] = [];
    const expected = new Map<string, string>();
    let exposures: Record<string, number>;

    beforeAll(async () => {
      experiment = (await createExperiment({}).expect(201)).body.data;
      expect(experiment).toMatchObject({ key: 'hero', status: 'draft', coverage: 1, goals: ['signup'] });
      const started = await asAdmin(http().post(`/personalization/experiments/${experiment.documentId}/start`)).expect(200);
      expect(started.body.data.status).toBe('running');
      const ranges = rangesOf({ seed: experiment.seed, weights: arms.map((arm) => arm.weight), coverage: 1 });
      for (let index = 0; index < VISITORS; index += 1) {
        const token = await consentToken(strapi, ['measurement']);
        tokens.push(token);
        expected.set(token, arms[assignArm(experiment.seed, ranges, claimsOf(token).sub)].key);
      }
      exposures = { control: 0, summer: 0 };
    });

    it('refuses edits of its arms, weights, coverage and audience, and a second experiment sharing a variant', async () => {
      const id = experiment.documentId;
      for (const [field, value] of [['arms', arms], ['coverage', 0.5], ['audience', { '==': [1, 1] }]] as const) {
        const response = await asAdmin(http().put(`/personalization/experiments/${id}`)).send({ [field]: value }).expect(400);
        expect(response.body.error.details.field).toBe(field);
        expect(response.body.error.message).toMatch(/running experiment/);
      }
      await asAdmin(http().put(`/personalization/experiments/${id}`)).send({ name: 'Hero test, renamed' }).expect(200);
      const second = (
        await createExperiment({ key: 'hero-2', arms: [{ key: 'winter', variant: 'winter', weight: 0.5 }, { key: 'summer', variant: 'summer', weight: 0.5 }] }).expect(201)
      ).body.data;
      const refused = await asAdmin(http().post(`/personalization/experiments/${second.documentId}/start`)).expect(400);
      expect(refused.body.error.details.field).toBe('arms[1].variant');
      expect(refused.body.error.message).toMatch(/already in running experiment "hero"/);
      await asAdmin(http().delete(`/personalization/experiments/${second.documentId}`)).expect(200);
    });

    it('gives each visitor with measurement their arm, labelled, on every request, privately', async () => {
      for (const token of tokens) {
        for (const path of [`/api/articles/${baseId}`, '/api/articles']) {
          const response = await http().get(path).set('X-Consent-Token', token).expect(200);
          const entry = Array.isArray(response.body.data) ? response.body.data[0] : response.body.data;
          const arm = expected.get(token)!;
          expect(entry.personalization).toEqual({
            variant: arm === 'control' ? null : 'summer',
            kind: arm === 'control' ? 'base' : 'mass',
            reason: 'experiment',
            experiment: 'hero',
            arm,
          });
          expect(entry.title).toBe(arm === 'control' ? 'Generic' : 'summer (en)');
          expect(response.headers['cache-control']).toBe('private, no-store');
          exposures[arm] += 1;
        }
      }
      expect(new Set(expected.values())).toEqual(new Set(['control', 'summer']));
    });

    it('labels the arm the same through GraphQL and through a relation, and counts one exposure per response', async () => {
      const token = tokens[1];
      const arm = expected.get(token)!;
      const query = { query: '{ articles { documentId title personalization { variant kind reason experiment arm } } }' };
      const graphql = await http().post('/graphql').set('X-Consent-Token', token).send(query).expect(200);
      expect(graphql.body.errors).toBeUndefined();
      expect(graphql.body.data.articles[0].personalization).toEqual({
        variant: arm === 'control' ? null : 'summer',
        kind: arm === 'control' ? 'base' : 'mass',
        reason: 'experiment',
        experiment: 'hero',
        arm,
      });
      expect(graphql.headers['cache-control']).toMatch(/private/);
      exposures[arm] += 1;

      const home = await strapi.documents('api::homepage.homepage').create({ locale: 'en', data: { headline: 'Welcome', featured: baseId } } as any);
      await strapi.documents('api::homepage.homepage').publish({ documentId: home.documentId, locale: 'en' } as any);
      const nested = await http().get('/api/homepage?populate=featured').set('X-Consent-Token', token).expect(200);
      expect(nested.body.data.featured.personalization).toMatchObject({ reason: 'experiment', experiment: 'hero', arm });
      expect(nested.body.data.featured.title).toBe(arm === 'control' ? 'Generic' : 'summer (en)');
      exposures[arm] += 1;
    });

    it('costs no extra query, and writes nothing, on the request path of an enrolled visitor', async () => {
      const enrolled = tokens.find((token) => expected.get(token) === 'summer')!;
      // A visitor outside the experiment, served a variant by the ordinary chain: the same queries (both warmed first).
      const outside = await consentToken(strapi, ['functional']);
      const list = (token: string) => http().get('/api/articles').set('X-Consent-Token', token).expect(200);
      await list(enrolled);
      await list(outside);
      const withVariant = await countQueries(strapi, () => list(enrolled));
      const chain = await countQueries(strapi, () => list(outside));
      exposures.summer += 2;
      expect(withVariant.queries).toBe(chain.queries);
      const knex = strapi.db.connection as any;
      const writes: string[] = [];
      const onQuery = (query: { sql: string }) => {
        if (strapi.requestContext.get() && /^\s*(insert|update|delete)/i.test(query.sql)) writes.push(query.sql);
      };
      knex.on('query', onQuery);
      try {
        for (const token of tokens.slice(0, 5)) {
          await http().get('/api/articles').set('X-Consent-Token', token).expect(200);
          exposures[expected.get(token)!] += 1;
        }
      } finally {
        knex.removeListener('query', onQuery);
      }
      expect(writes).toEqual([]);
    });

    it('serves visitors without the purpose the normal chain without the arm variants', async () => {
      const token = await consentToken(strapi, ['personalization', 'functional']);
      const response = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
      // `winter` is no arm: the chain serves it, skipping `summer`, which only the experiment serves now.
      expect(response.body.data.personalization).toEqual({ variant: 'winter', kind: 'mass', reason: 'mass-match' });
      const anonymous = await http().get(`/api/articles/${baseId}`).expect(200);
      expect(anonymous.body.data.personalization.reason).toBe('mass-match');
      expect(anonymous.body.data.personalization.experiment).toBeUndefined();
    });

    it('explains a visitor’s arm, or why they are not enrolled, and the simulator shows the arms by weight', async () => {
      const token = tokens[3];
      const arm = expected.get(token)!;
      const explained = await http().get(`/api/personalization/explain/${ARTICLE}/${baseId}`).set('X-Consent-Token', token).expect(200);
      expect(explained.body.data.served).toMatchObject({ reason: 'experiment', experiment: 'hero', arm });
      expect(explained.body.data.experiment).toEqual({ key: 'hero', enrolled: true, arm });
      const outside = await consentToken(strapi, ['personalization']);
      const chain = await http().get(`/api/personalization/explain/${ARTICLE}/${baseId}`).set('X-Consent-Token', outside).expect(200);
      expect(chain.body.data.experiment).toEqual({ key: 'hero', enrolled: false, reason: 'consent-missing' });
      expect(chain.body.data.served).toMatchObject({ variant: 'winter', reason: 'mass-match' });
      expect(chain.body.data.skipped.map((skip: any) => skip.variant)).not.toContain('summer');

      const simulate = (purposes: string[]) =>
        asAdmin(http().post('/personalization/simulate')).send({ contentType: ARTICLE, documentIds: [baseId], purposes }).expect(200);
      const eligible = (await simulate(['measurement'])).body.data.entries[0];
      expect(eligible.experiment).toEqual({ key: 'hero', enrolled: 'by-weight', coverage: 1, arms });
      const notEligible = (await simulate(['personalization'])).body.data.entries[0];
      expect(notEligible.experiment).toEqual({ key: 'hero', enrolled: false, reason: 'consent-missing' });
      expect(notEligible.served).toMatchObject({ variant: 'winter', reason: 'mass-match' });
    });

    it('shows prefetches, known bots and the admin preview their arm without counting them', async () => {
      const token = tokens[0];
      for (const headers of [
        { 'Sec-Purpose': 'prefetch' },
        { Purpose: 'prefetch' },
        { 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
        { 'X-Personalization-Preview': '1' },
      ]) {
        const response = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).set(headers).expect(200);
        expect(response.body.data.personalization.arm).toBe(expected.get(token));
      }
      // The admin's preview as a visitor, now and at a chosen time: its own token, marked, never counted.
      for (const at of [undefined, new Date(Date.now() + 3600_000).toISOString()]) {
        const preview = await asAdmin(http().post('/personalization/preview'))
          .send({ contentType: ARTICLE, documentId: baseId, purposes: ['measurement'], locale: 'en', ...(at ? { at } : {}) })
          .expect(200);
        expect(preview.body.data.response.body.data.personalization.reason).toBe('experiment');
        // Sent as a frontend would send the preview token, without the preview marker.
        const previewToken = preview.body.data.request.headers['X-Consent-Token'];
        await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', previewToken).expect(200);
        if (at) {
          const event = await http().post('/api/personalization/events').set('X-Consent-Token', previewToken).send({ type: 'conversion', goal: 'signup' }).expect(202);
          expect(event.body.data).toEqual({ counted: false, reason: 'not-counted' });
        } else {
          // Without a preview time it is an ordinary measurement token once it leaves the preview request.
          const ranges = rangesOf({ seed: experiment.seed, weights: [0.5, 0.5], coverage: 1 });
          exposures[arms[assignArm(experiment.seed, ranges, claimsOf(previewToken).sub)].key] += 1;
        }
      }
    });

    it('counts conversions of enrolled visitors, answers consent-missing without the purpose, and 400 for an unknown goal', async () => {
      const conversions = { control: 0, summer: 0 };
      const converters = { control: new Set<string>(), summer: new Set<string>() };
      // The flush timer stops (after writing what is buffered), so the events below wait in memory
      // however long they take; it starts again once they are written.
      await counts().stop();
      for (const [position, token] of tokens.entries()) {
        if (position % 3 === 0) continue;
        const times = position % 4 === 0 ? 2 : 1;
        for (let time = 0; time < times; time += 1) {
          const response = await http()
            .post('/api/personalization/events')
            .set('X-Consent-Token', token)
            .send({ type: 'conversion', goal: 'signup' })
            .expect(202);
          expect(response.body.data).toEqual({ counted: true, reason: 'counted' });
          const arm = expected.get(token) as 'control' | 'summer';
          conversions[arm] += 1;
          converters[arm].add(token);
        }
      }
      const withoutPurpose = await consentToken(strapi, ['personalization']);
      const refused = await http()
        .post('/api/personalization/events')
        .set('X-Consent-Token', withoutPurpose)
        .send({ type: 'conversion', goal: 'signup' })
        .expect(202);
      expect(refused.body.data).toEqual({ counted: false, reason: 'consent-missing' });
      const anonymous = await http().post('/api/personalization/events').send({ type: 'conversion', goal: 'signup' }).expect(202);
      expect(anonymous.body.data).toEqual({ counted: false, reason: 'consent-missing' });
      const unknown = await http().post('/api/personalization/events').set('X-Consent-Token', tokens[1]).send({ type: 'conversion', goal: 'sign-up' }).expect(400);
      expect(unknown.body.error.details.field).toBe('goal');
      expect(unknown.body.error.message).toMatch(/unknown goal "sign-up"/);

      // Nothing is written per request: the counts wait in memory until the flush.
      expect(counts().pending()).toBeGreaterThan(0);
      expect(await counts().flush()).toBeGreaterThan(0);
      expect(counts().pending()).toBe(0);
      counts().start();

      const response = await asAdmin(http().get(`/personalization/experiments/${experiment.documentId}/results`)).expect(200);
      const { results } = response.body.data;
      for (const arm of results.arms) {
        const key = arm.key as 'control' | 'summer';
        const visitors = [...expected.values()].filter((value) => value === key).length;
        expect(arm.exposures).toBe(exposures[key]);
        expect(withinEstimatorError(arm.visitors, visitors)).toBe(true);
        expect(arm.goals.signup.conversions).toBe(conversions[key]);
        expect(withinEstimatorError(arm.goals.signup.converters, converters[key].size)).toBe(true);
        expect(arm.goals.signup.interval).toHaveLength(2);
      }
      const summer = results.arms.find((arm: any) => arm.key === 'summer');
      expect(summer.goals.signup).toHaveProperty('pValue');
      expect(summer.goals.signup).toHaveProperty('probabilityToBeatControl');
      expect(results.overall.exposures).toBe(exposures.control + exposures.summer);
      expect(results.sampleRatio).toMatchObject({ degreesOfFreedom: 1 });
      expect(results.daily).toHaveLength(1);
      expect(results.daily[0].day).toBe(new Date().toISOString().slice(0, 10));
    });

    it('stops counting a visitor the moment they withdraw consent', async () => {
      const token = tokens[2];
      await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);
      const conversion = await http().post('/api/personalization/events').set('X-Consent-Token', token).send({ type: 'conversion', goal: 'signup' }).expect(202);
      expect(conversion.body.data).toEqual({ counted: false, reason: 'consent-missing' });
      const delivered = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
      expect(delivered.body.data.personalization.reason).not.toBe('experiment');
      expect(counts().pending()).toBe(0);
    });

    it('stores and logs no sub, rid, token or attribute value', async () => {
      const attributed = await consentToken(strapi, ['measurement', 'personalization'], { interests: ['zebra-7f3a'] });
      await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', attributed).expect(200);
      await http().post('/api/personalization/events').set('X-Consent-Token', attributed).send({ type: 'conversion', goal: 'signup' }).expect(202);
      await counts().flush();
      const stored = (await databaseText(strapi)).text;
      const logs = logged.join('\n');
      expect(stored).toContain('hll1:');
      // The withdrawn token's ids are in the revocation and consent records, by design (invariant 6); every other one is nowhere.
      const withdrawn = tokens[2];
      for (const token of [...tokens.filter((token) => token !== withdrawn), attributed]) {
        const { sub, rid } = claimsOf(token);
        for (const secret of [sub, rid, token, token.split('.')[2]]) {
          expect(stored).not.toContain(secret);
          expect(logs).not.toContain(secret);
        }
      }
      expect(stored).not.toContain('zebra-7f3a');
      expect(logs).not.toContain('zebra-7f3a');
    });
  });

  describe('promotion', () => {
    it('writes the winning variant into the base as a new draft in every locale and stops the experiment', async () => {
      const response = await asAdmin(http().post(`/personalization/experiments/${experiment.documentId}/promote`)).send({ arm: 'summer' }).expect(200);
      expect(response.body.data).toMatchObject({ status: 'stopped', promotedArm: 'summer', copiedLocales: ['de', 'en'] });
      for (const locale of ['en', 'de']) {
        const draft: any = await strapi.documents(ARTICLE).findOne({ documentId: baseId, locale, status: 'draft', populate: ['cta'] } as any);
        expect(draft.title).toBe(`summer (${locale})`);
        expect(draft.cta.label).toBe('summer CTA');
        expect(draft.slug).toBe(locale === 'en' ? 'generic' : 'allgemein');
        const published: any = await strapi.documents(ARTICLE).findOne({ documentId: baseId, locale, status: 'published' } as any);
        expect(published.title).toBe(locale === 'en' ? 'Generic' : 'Allgemein');
      }
      // Stopped: nobody is enrolled any more; summer is an ordinary mass variant again.
      const token = await consentToken(strapi, ['measurement']);
      const delivered = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
      expect(delivered.body.data.personalization.reason).toBe('mass-match');
      const edit = await asAdmin(http().put(`/personalization/experiments/${experiment.documentId}`)).send({ arms }).expect(400);
      expect(edit.body.error.details.field).toBe('arms');
    });

    it('keeps the lifecycle one way: a stopped experiment neither starts nor stops again, and an unknown id is a 404', async () => {
      const id = experiment.documentId;
      for (const action of ['start', 'stop']) {
        const refused = await asAdmin(http().post(`/personalization/experiments/${id}/${action}`)).expect(400);
        expect(refused.body.error.details.field).toBe('status');
      }
      const listed = await asAdmin(http().get(`/personalization/experiments?contentType=${ARTICLE}&baseDocumentId=${baseId}`)).expect(200);
      expect(listed.body.data.map((entry: any) => entry.key)).toEqual(['hero']);
      const unknown = await asAdmin(http().get('/personalization/experiments/nope/results')).expect(404);
      expect(unknown.body.error.details.field).toBe('id');
    });
  });
});
