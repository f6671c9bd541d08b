import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { AppCopy } from '../helpers/app-copy';
import { ARTICLE, publishedDocument, publishVariantDocument } from '../helpers/content';
import { adminToken, grantPublic } from '../helpers/strapi';

const OUTDOOR = { in: ['outdoor', { var: 'interests' }] };

type Tables = Record<string, Array<Record<string, unknown>>>;

/** Rows by documentId, so two exports compare whatever order the database returned them in. */
const byDocument = (tables: Tables) =>
  Object.fromEntries(
    Object.entries(tables).map(([name, rows]) => [name, [...rows].sort((a, b) => String(a.documentId).localeCompare(String(b.documentId)))])
  );

/**
 * Strapi drops a plugin's tables on the first start without the plugin. The export taken before
 * holds every row, and importing it into the re-installed plugin brings them all back.
 */
describe('export, uninstall, re-install, import', () => {
  const app = new AppCopy('transfer');
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  let exported: { tables: Tables; schemaVersion: number };
  let revokedToken: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const hasTable = (name: string) => strapi.db.connection.schema.hasTable(name);
  /** A count of 0 for each of the plugin's tables (those this test writes nothing to stay at 0). */
  const zeros = () => Object.fromEntries(Object.keys(strapi.plugin('personalization').contentTypes).map((name) => [name, 0]));

  async function restart() {
    await app.stop();
    strapi = await app.boot();
    admin = await adminToken(strapi);
  }

  beforeAll(async () => {
    await app.createDatabase();
    strapi = await app.boot();
    admin = await adminToken(strapi);
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    baseId = await publishedDocument(strapi, ARTICLE, { title: 'Base' });
    const segments = strapi.plugin('personalization').service('segments');
    await segments.create({ name: 'Outdoor fans', key: 'outdoor-fans', rule: OUTDOOR });
    await segments.create({ name: 'Evenings', key: 'evenings', rule: { '>=': [{ var: 'hour' }, 18] } });
    for (const body of [
      { name: 'Campaign', key: 'campaign', kind: 'mass', startsAt: '2026-01-01T00:00:00.000Z' },
      { name: 'Outdoor', key: 'outdoor', kind: 'targeted', segments: ['outdoor-fans'], requiredPurposes: ['marketing'] },
    ]) {
      const { body: created } = await as(http().post('/personalization/variants'))
        .send({ contentType: ARTICLE, baseDocumentId: baseId, ...body })
        .expect(201);
      const variantId = created.data.variantDocumentId;
      await publishVariantDocument(strapi, ARTICLE, variantId, { data: () => ({ title: body.name }) });
    }
    await http().post('/api/personalization/consent').send({ purposes: ['personalization'] }).expect(201);
    revokedToken = (await http().post('/api/personalization/consent').send({ purposes: ['marketing'] }).expect(201)).body.data.token;
    await http().delete('/api/personalization/consent').set('X-Consent-Token', revokedToken).expect(204);
  });

  afterAll(async () => {
    await app.remove();
  });

  it('exports every table of the plugin with all its rows', async () => {
    const response = await as(http().get('/personalization/transfer/export')).expect(200);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="personalization-export-/);
    exported = response.body;
    expect(exported).toMatchObject({ format: 'strapi-plugin-personalization/export', version: 1 });
    const counts = Object.fromEntries(Object.entries(exported.tables).map(([name, rows]) => [name, rows.length]));
    expect(Object.keys(counts).sort()).toEqual(Object.keys(strapi.plugin('personalization').contentTypes).sort());
    expect(counts).toEqual({ ...zeros(), 'consent-record': 3, revocation: 1, segment: 2, variant: 2 });
    expect(exported.tables.variant.find((row) => row.key === 'outdoor')).toMatchObject({
      kind: 'targeted',
      segments: ['outdoor-fans'],
      requiredPurposes: ['marketing'],
      documentId: expect.any(String),
    });
    expect(exported.tables.variant[0]).not.toHaveProperty('id');
  });

  it('loses the tables when the plugin is removed, while every entry stays served', async () => {
    app.setPluginInstalled(false);
    await restart();
    expect(strapi.plugin('personalization')).toBeUndefined();
    expect(await hasTable('personalization_variants')).toBe(false);
    expect(await hasTable('personalization_consent_records')).toBe(false);
    const titles = (await http().get('/api/articles?sort=title').expect(200)).body.data.map((entry: { title: string }) => entry.title);
    expect(titles).toEqual(['Base', 'Campaign', 'Outdoor']);
  });

  it('imports the export into the re-installed plugin and holds exactly what it held', async () => {
    app.setPluginInstalled(true);
    await restart();
    const empty = (await as(http().get('/personalization/transfer/export')).expect(200)).body;
    expect(Object.values(empty.tables).every((rows) => (rows as unknown[]).length === 0)).toBe(true);

    const { body } = await as(http().post('/personalization/transfer/import?relink=true')).send(exported).expect(200);
    expect(body.data).toEqual({
      imported: { ...zeros(), 'consent-record': 3, revocation: 1, segment: 2, variant: 2 },
      skipped: zeros(),
      // The removed plugin took the entries' variant marks with it: linked again on request.
      detached: 2,
      relinked: 2,
    });
    const again = (await as(http().get('/personalization/transfer/export')).expect(200)).body;
    expect(byDocument(again.tables)).toEqual(byDocument(exported.tables));
  });

  it('serves the variants and honours the revocation again after the import', async () => {
    const titles = (await http().get('/api/articles').expect(200)).body.data.map((entry: { title: string }) => entry.title);
    expect(titles).toEqual(['Campaign']);
    const base = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(base.body.data.personalization).toEqual({ variant: 'campaign', kind: 'mass', reason: 'mass-match' });
    const revoked = await http().get('/api/personalization/consent').set('X-Consent-Token', revokedToken);
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.body)).toContain('token-revoked');
  });

  it('skips rows that are already there when the same export is imported twice', async () => {
    const { body } = await as(http().post('/personalization/transfer/import')).send(exported).expect(200);
    expect(body.data.imported).toEqual(zeros());
    expect(body.data.skipped).toEqual({ ...zeros(), 'consent-record': 3, revocation: 1, segment: 2, variant: 2 });
  });

  it('refuses a file with a table this version does not know, naming it', async () => {
    const { body } = await as(http().post('/personalization/transfer/import'))
      .send({ ...exported, tables: { ...exported.tables, gadgets: [] } })
      .expect(400);
    expect(body.error.details.field).toBe('tables.gadgets');
  });
});
