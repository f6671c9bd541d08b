import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { AppCopy } from '../helpers/app-copy';
import { ARTICLE, publishedDocument, publishVariantDocument } from '../helpers/content';
import { adminToken, grantPublic } from '../helpers/strapi';

const VARIANT = 'plugin::personalization.variant';

/**
 * A type opted out with "keep the variants as ordinary entries" and opted in again: Strapi drops
 * and re-adds the hidden variantOf column, so the former variants are ordinary entries while their
 * records remain. Each test restarts the same app on the same database, like a developer would.
 */
describe('reconcile on start', () => {
  const app = new AppCopy('reconcile');
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let otherId: string;
  let variantId: string;
  let recordId: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const titles = async () =>
    ((await http().get('/api/articles?sort=title').expect(200)).body.data as Array<{ title: string }>).map((entry) => entry.title);
  const exists = async (documentId: string) => (await strapi.db.query(ARTICLE).count({ where: { documentId } })) > 0;

  async function restart() {
    await app.stop();
    strapi = await app.boot();
    admin = await adminToken(strapi);
  }

  const publishedArticle = (title: string) => publishedDocument(strapi, ARTICLE, { title });

  beforeAll(async () => {
    await app.createDatabase();
    strapi = await app.boot();
    admin = await adminToken(strapi);
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    baseId = await publishedArticle('Base');
    otherId = await publishedArticle('Other');
    const created = await as(http().post('/personalization/variants'))
      .send({ contentType: ARTICLE, baseDocumentId: baseId, name: 'Campaign', key: 'campaign', kind: 'mass' })
      .expect(201);
    variantId = created.body.data.variantDocumentId;
    recordId = created.body.data.documentId;
    await publishVariantDocument(strapi, ARTICLE, variantId, { data: () => ({ title: 'Campaign' }) });
  });

  afterAll(async () => {
    await app.remove();
  });

  it('serves the variant in place of its base while the type is personalized', async () => {
    expect(await titles()).toEqual(['Campaign', 'Other']);
    const base = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(base.body.data).toMatchObject({ documentId: baseId, title: 'Campaign', personalization: { reason: 'mass-match' } });
  });

  it('sets the records of a type taken out of the plugin aside, and its former variants are ordinary entries', async () => {
    app.setPersonalized('article', false);
    await restart();
    expect(await titles()).toEqual(['Base', 'Campaign', 'Other']);
    expect(await strapi.db.query(VARIANT).count()).toBe(0);
    const { body } = await as(http().get('/personalization/reconcile')).expect(200);
    expect(body.data.detached).toEqual([
      expect.objectContaining({
        contentType: ARTICLE,
        baseDocumentId: baseId,
        variantDocumentId: variantId,
        key: 'campaign',
        reason: 'type-not-enabled',
        record: expect.objectContaining({ kind: 'mass', documentId: recordId }),
      }),
    ]);
  });

  it('keeps every entry an ordinary, served entry when the type is personalized again, and lists no variant', async () => {
    app.setPersonalized('article', true);
    await restart();
    expect(await titles()).toEqual(['Base', 'Campaign', 'Other']);
    expect((await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200)).body.data).toEqual([]);
    await as(http().delete(`/personalization/variants/${recordId}`)).expect(404);
    expect(await exists(variantId)).toBe(true);
    const { body } = await as(http().get('/personalization/reconcile')).expect(200);
    expect(body.data.detached).toHaveLength(1);
  });

  it('never deletes an ordinary entry through a stale record, and sets the record aside on the next start', async () => {
    // What a previous release left behind: a record naming an ordinary entry as a variant.
    const stale = await strapi.db.query(VARIANT).create({
      data: { name: 'Stale', key: 'stale', contentType: ARTICLE, baseDocumentId: baseId, variantDocumentId: otherId, kind: 'mass', priority: 5, enabled: true },
    });
    const listed = (await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200)).body.data;
    expect(listed.map((record: { key: string }) => record.key)).toEqual(['stale']);
    await as(http().delete(`/personalization/variants/${stale.documentId}`)).expect(200);
    expect(await exists(otherId)).toBe(true);
    expect(await titles()).toEqual(['Base', 'Campaign', 'Other']);

    await strapi.db.query(VARIANT).create({
      data: { name: 'Stale', key: 'stale', contentType: ARTICLE, baseDocumentId: baseId, variantDocumentId: otherId, kind: 'mass', priority: 5, enabled: true },
    });
    await restart();
    expect((await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200)).body.data).toEqual([]);
    const { body } = await as(http().get('/personalization/reconcile')).expect(200);
    expect(body.data.detached.map((record: { key: string; reason: string }) => [record.key, record.reason])).toEqual([
      ['campaign', 'type-not-enabled'],
      ['stale', 'not-a-variant'],
    ]);
    expect(await titles()).toEqual(['Base', 'Campaign', 'Other']);
  });

  it('links a detached record again on request; deleting that variant then deletes the variant only', async () => {
    const { body } = await as(http().get('/personalization/reconcile')).expect(200);
    const [campaign, stale] = body.data.detached;
    await as(http().delete(`/personalization/reconcile/detached/${stale.documentId}`)).expect(200);
    const relinked = (await as(http().post(`/personalization/reconcile/detached/${campaign.documentId}/relink`)).expect(200)).body.data;
    expect(relinked).toMatchObject({ documentId: recordId, key: 'campaign', kind: 'mass', variantDocumentId: variantId });
    expect(await titles()).toEqual(['Campaign', 'Other']);
    expect((await http().get(`/api/articles/${baseId}`).expect(200)).body.data.personalization.reason).toBe('mass-match');
    expect((await as(http().get('/personalization/reconcile')).expect(200)).body.data).toEqual({ detached: [], unlinkedDocuments: [] });

    await as(http().delete(`/personalization/variants/${recordId}`)).expect(200);
    expect(await exists(variantId)).toBe(false);
    expect(await exists(baseId)).toBe(true);
    expect(await exists(otherId)).toBe(true);
    expect(await titles()).toEqual(['Base', 'Other']);
  });

  it('lists an entry marked as a variant that no record links, and releases it as an ordinary entry on request', async () => {
    await strapi.db.query(ARTICLE).updateMany({ where: { documentId: otherId }, data: { variantOf: baseId } });
    expect(await titles()).toEqual(['Base']);
    const { body } = await as(http().post('/personalization/reconcile')).expect(200);
    expect(body.data).toMatchObject({ detachedNow: [], unlinkedDocuments: [{ contentType: ARTICLE, documentId: otherId }] });
    await as(http().post(`/personalization/reconcile/unlinked/${ARTICLE}/${baseId}/release`)).expect(404);
    await as(http().post(`/personalization/reconcile/unlinked/${ARTICLE}/${otherId}/release`)).expect(200);
    expect(await titles()).toEqual(['Base', 'Other']);
    expect((await as(http().get('/personalization/reconcile')).expect(200)).body.data.unlinkedDocuments).toEqual([]);
  });
});
