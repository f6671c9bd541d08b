import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { stopStrapi } from '../helpers/strapi';
import { ARTICLE, consentToken, postVariant, publishVariantDocument, startWithGenericArticle } from '../helpers/content';

const OUTDOOR = { in: ['outdoor', { var: 'interests' }] };

describe('segments: reusable audiences in the admin API and in delivery', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const token = (attributes: Record<string, unknown>, purposes = ['personalization']) => consentToken(strapi, purposes, attributes);

  async function createSegment(body: Record<string, unknown>) {
    return (await as(http().post('/personalization/segments')).send(body).expect(201)).body.data;
  }

  /** A published variant of the base article, titled so a response shows whether it was served. */
  async function createVariant(body: Record<string, unknown>) {
    const record = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, kind: 'targeted', ...body });
    await publishVariantDocument(strapi, ARTICLE, record.variantDocumentId, { data: () => ({ title: body.name }) });
    return record;
  }

  async function served(attributes?: Record<string, unknown>) {
    const call = http().get(`/api/articles/${baseId}`);
    if (attributes) call.set('X-Consent-Token', await token(attributes));
    const response = await call.expect(200);
    return response.body.data.personalization.variant as string | null;
  }

  beforeAll(async () => {
    ({ strapi, admin, baseId } = await startWithGenericArticle());
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  afterEach(async () => {
    const variants = await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200);
    for (const variant of variants.body.data) {
      await as(http().delete(`/personalization/variants/${variant.documentId}`)).expect(200);
    }
    const segments = await as(http().get('/personalization/segments')).expect(200);
    for (const segment of segments.body.data) {
      await as(http().delete(`/personalization/segments/${segment.documentId}`)).expect(200);
    }
  });

  describe('CRUD', () => {
    it('creates, lists, reads, updates and deletes a segment', async () => {
      const created = await createSegment({ name: 'Outdoor fans', key: 'outdoor-fans', description: 'Likes hiking', rule: OUTDOOR });
      expect(created).toMatchObject({ name: 'Outdoor fans', key: 'outdoor-fans', description: 'Likes hiking', rule: OUTDOOR });
      expect(created.documentId).toEqual(expect.any(String));

      const list = await as(http().get('/personalization/segments')).expect(200);
      expect(list.body.data).toEqual([expect.objectContaining({ key: 'outdoor-fans', usage: 0 })]);

      const one = await as(http().get(`/personalization/segments/${created.documentId}`)).expect(200);
      expect(one.body.data).toMatchObject({ key: 'outdoor-fans', rule: OUTDOOR, usage: 0, usedBy: [] });

      const germans = { '==': [{ var: 'country' }, 'de'] };
      const updated = await as(http().put(`/personalization/segments/${created.documentId}`))
        .send({ name: 'Germans', key: 'germans', rule: germans, description: null })
        .expect(200);
      expect(updated.body.data).toMatchObject({ name: 'Germans', key: 'germans', rule: germans, description: null });
      const reread = await as(http().get(`/personalization/segments/${created.documentId}`)).expect(200);
      expect(reread.body.data).toMatchObject({ name: 'Germans', key: 'germans', rule: germans });

      await as(http().delete(`/personalization/segments/${created.documentId}`)).expect(200);
      await as(http().get(`/personalization/segments/${created.documentId}`)).expect(404);
      expect((await as(http().get('/personalization/segments')).expect(200)).body.data).toEqual([]);
    });

    it('answers 404 for an unknown segment on read, update and delete', async () => {
      await as(http().get('/personalization/segments/nope')).expect(404);
      await as(http().put('/personalization/segments/nope')).send({ name: 'x' }).expect(404);
      await as(http().delete('/personalization/segments/nope')).expect(404);
    });

    it.each([
      ['an unknown field', { name: 'A', key: 'a', rule: OUTDOOR, colour: 'red' }, 'colour', /colour/],
      ['a missing name', { key: 'a', rule: OUTDOOR }, 'name', /./],
      ['a name of the wrong type', { name: 7, key: 'a', rule: OUTDOOR }, 'name', /string/],
      ['a malformed key', { name: 'A', key: 'Not A Key', rule: OUTDOOR }, 'key', /a-z/],
      ['a missing rule', { name: 'A', key: 'a' }, 'rule', /rule/],
      ['a rule reading an unknown attribute', { name: 'A', key: 'a', rule: { '==': [{ var: 'shoeSize' }, 42] } }, 'rule.==[0]', /shoeSize/],
      ['a rule with an unknown operator', { name: 'A', key: 'a', rule: { eval: ['1'] } }, 'rule.(root)', /eval/],
    ])('refuses %s with a 400 naming the field', async (_, body, field, message) => {
      const response = await as(http().post('/personalization/segments')).send(body).expect(400);
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.message).toMatch(message);
      expect((await as(http().get('/personalization/segments')).expect(200)).body.data).toEqual([]);
    });

    it('refuses a duplicate key on create and on update with a 400 naming key', async () => {
      await createSegment({ name: 'Outdoor', key: 'outdoor-fans', rule: OUTDOOR });
      const other = await createSegment({ name: 'Germans', key: 'germans', rule: { '==': [{ var: 'country' }, 'de'] } });

      const duplicate = await as(http().post('/personalization/segments'))
        .send({ name: 'Again', key: 'outdoor-fans', rule: OUTDOOR })
        .expect(400);
      expect(duplicate.body.error.details.field).toBe('key');
      expect(duplicate.body.error.message).toMatch(/outdoor-fans/);

      const renamed = await as(http().put(`/personalization/segments/${other.documentId}`)).send({ key: 'outdoor-fans' }).expect(400);
      expect(renamed.body.error.details.field).toBe('key');
      const list = await as(http().get('/personalization/segments')).expect(200);
      expect(list.body.data.map((segment: any) => segment.key).sort()).toEqual(['germans', 'outdoor-fans']);
    });

    it('refuses an invalid rule on update and keeps the old one', async () => {
      const segment = await createSegment({ name: 'Outdoor', key: 'outdoor-fans', rule: OUTDOOR });
      const response = await as(http().put(`/personalization/segments/${segment.documentId}`))
        .send({ rule: { and: [true, { var: 'shoeSize' }] } })
        .expect(400);
      expect(response.body.error.details.field).toBe('rule.and[1]');
      const reread = await as(http().get(`/personalization/segments/${segment.documentId}`)).expect(200);
      expect(reread.body.data.rule).toEqual(OUTDOOR);
    });
  });

  describe('in use by variants', () => {
    it('counts the variants that use a segment', async () => {
      await createSegment({ name: 'Outdoor', key: 'outdoor-fans', rule: OUTDOOR });
      await createSegment({ name: 'Unused', key: 'unused', rule: true });
      await createVariant({ name: 'Hiking', key: 'hiking', segments: ['outdoor-fans'] });
      await createVariant({ name: 'Camping', key: 'camping', segments: ['outdoor-fans'] });
      const list = await as(http().get('/personalization/segments')).expect(200);
      const usage = Object.fromEntries(list.body.data.map((segment: any) => [segment.key, segment.usage]));
      expect(usage).toEqual({ 'outdoor-fans': 2, unused: 0 });
    });

    it('refuses to delete a segment in use with a 409 that lists the variants using it', async () => {
      const segment = await createSegment({ name: 'Outdoor', key: 'outdoor-fans', rule: OUTDOOR });
      const hiking = await createVariant({ name: 'Hiking', key: 'hiking', segments: ['outdoor-fans'] });
      await createVariant({ name: 'Unrelated', key: 'unrelated' });

      const response = await as(http().delete(`/personalization/segments/${segment.documentId}`)).expect(409);
      expect(response.body.error.message).toContain('hiking');
      expect(response.body.error.message).toContain(ARTICLE);
      expect(response.body.error.message).toContain(baseId);
      expect(response.body.error.message).not.toContain('unrelated');
      expect(response.body.error.details.usedBy).toEqual([
        {
          key: 'hiking',
          name: 'Hiking',
          kind: 'targeted',
          contentType: ARTICLE,
          baseDocumentId: baseId,
          variantDocumentId: hiking.variantDocumentId,
        },
      ]);
      await as(http().get(`/personalization/segments/${segment.documentId}`)).expect(200);

      await as(http().put(`/personalization/variants/${hiking.documentId}`)).send({ segments: [] }).expect(200);
      await as(http().delete(`/personalization/segments/${segment.documentId}`)).expect(200);
    });

    it('refuses to rename the key of a segment in use, and renames an unused one', async () => {
      const segment = await createSegment({ name: 'Outdoor', key: 'outdoor-fans', rule: OUTDOOR });
      const hiking = await createVariant({ name: 'Hiking', key: 'hiking', segments: ['outdoor-fans'] });
      const refused = await as(http().put(`/personalization/segments/${segment.documentId}`)).send({ key: 'hikers' }).expect(409);
      expect(refused.body.error.message).toContain('hiking');
      expect(refused.body.error.details.field).toBe('key');
      // Sending the same key back is not a rename.
      await as(http().put(`/personalization/segments/${segment.documentId}`)).send({ key: 'outdoor-fans', name: 'Outdoor people' }).expect(200);

      await as(http().put(`/personalization/variants/${hiking.documentId}`)).send({ segments: [] }).expect(200);
      const renamed = await as(http().put(`/personalization/segments/${segment.documentId}`)).send({ key: 'hikers' }).expect(200);
      expect(renamed.body.data.key).toBe('hikers');
    });

    it('refuses a rule reading a personal attribute on a segment a mass variant uses', async () => {
      const segment = await createSegment({ name: 'Evenings', key: 'evenings', rule: { '>=': [{ var: 'hour' }, 18] } });
      await createVariant({ name: 'Evening', key: 'evening', kind: 'mass', segments: ['evenings'] });
      const response = await as(http().put(`/personalization/segments/${segment.documentId}`)).send({ rule: OUTDOOR }).expect(400);
      expect(response.body.error.details.field).toBe('rule');
      expect(response.body.error.message).toContain('interests');
      expect(response.body.error.message).toContain('evening');
    });
  });

  describe('delivery through segments', () => {
    it('serves a targeted variant whose only audience is a segment to matching visitors only', async () => {
      await createSegment({ name: 'Outdoor fans', key: 'outdoor-fans', rule: OUTDOOR });
      await createVariant({ name: 'Hiking', key: 'hiking', segments: ['outdoor-fans'] });
      expect(await served({ interests: ['outdoor', 'books'] })).toBe('hiking');
      expect(await served({ interests: ['cooking'] })).toBeNull();
      expect(await served({})).toBeNull();
      expect(await served()).toBeNull();
    });

    it('needs both the own audience and the segment when a variant has both', async () => {
      await createSegment({ name: 'Outdoor fans', key: 'outdoor-fans', rule: OUTDOOR });
      await createVariant({
        name: 'German hikers',
        key: 'german-hikers',
        audience: { '==': [{ var: 'country' }, 'de'] },
        segments: ['outdoor-fans'],
      });
      expect(await served({ interests: ['outdoor'], country: 'de' })).toBe('german-hikers');
      expect(await served({ interests: ['outdoor'], country: 'fr' })).toBeNull();
      expect(await served({ interests: ['cooking'], country: 'de' })).toBeNull();
    });

    it('changes delivery as soon as the segment rule is updated', async () => {
      const segment = await createSegment({ name: 'Outdoor fans', key: 'outdoor-fans', rule: OUTDOOR });
      await createVariant({ name: 'Hiking', key: 'hiking', segments: ['outdoor-fans'] });
      expect(await served({ interests: ['outdoor'] })).toBe('hiking');
      expect(await served({ interests: ['climbing'] })).toBeNull();

      await as(http().put(`/personalization/segments/${segment.documentId}`))
        .send({ rule: { in: ['climbing', { var: 'interests' }] } })
        .expect(200);
      expect(await served({ interests: ['climbing'] })).toBe('hiking');
      expect(await served({ interests: ['outdoor'] })).toBeNull();
    });
  });
});
