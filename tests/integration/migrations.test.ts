import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { AppCopy } from '../helpers/app-copy';
import { ARTICLE, publishedDocument, publishVariantDocument } from '../helpers/content';
import { adminToken, grantPublic } from '../helpers/strapi';

const VARIANT = 'plugin::personalization.variant';
const ROOT = path.resolve(__dirname, '../..');
/** Release 0.1.0 as it was last committed before versioned migrations: it stored no schema version. */
const RELEASE_0_1_0 = '19b53a7';
const SCHEMA_VERSION = { type: 'plugin', name: 'personalization', key: 'schema_version' } as const;

/** The previous release's server sources, checked out of git next to the app copy, loadable as a plugin. */
function checkOutRelease(commit: string, into: string): string {
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'server/src', 'package.json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  const pkg = JSON.parse(fs.readFileSync(path.join(into, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(into, 'package.json'), JSON.stringify({ ...pkg, name: `personalization-release-${commit}-source` }));
  fs.mkdirSync(path.join(into, 'entry'));
  fs.writeFileSync(
    path.join(into, 'entry/package.json'),
    JSON.stringify({ name: `personalization-release-${commit}`, private: true, strapi: { kind: 'plugin', name: 'personalization' } })
  );
  fs.writeFileSync(
    path.join(into, 'entry/strapi-server.js'),
    "'use strict';\nconst server = require('../server/src/index.ts');\nmodule.exports = server.default ?? server;\n"
  );
  return path.join(into, 'entry');
}

describe('upgrading from release 0.1.0', () => {
  const app = new AppCopy('migrations');
  const release = path.join(app.dir, 'release-0.1.0');
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;

  const http = () => request(strapi.server.httpServer);
  const as = (test: request.Test) => test.set('Authorization', `Bearer ${admin}`);
  const keys = async () =>
    ((await strapi.db.query(VARIANT).findMany({ orderBy: [{ id: 'asc' }] })) as Array<{ key: string }>).map((record) => record.key);

  beforeAll(async () => {
    await app.createDatabase();
    strapi = await app.boot({ pluginPath: checkOutRelease(RELEASE_0_1_0, release) });
    admin = await adminToken(strapi);
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    baseId = await publishedDocument(strapi, ARTICLE, { title: 'Base' });
    for (const key of ['campaign', 'evening']) {
      const { body } = await as(http().post('/personalization/variants'))
        .send({ contentType: ARTICLE, baseDocumentId: baseId, name: key, key, kind: 'mass' })
        .expect(201);
      await publishVariantDocument(strapi, ARTICLE, body.data.variantDocumentId, { data: () => ({ title: key }) });
    }
    // Two editors saving the same key at once: release 0.1.0's check-then-insert let both through.
    await strapi.db.query(VARIANT).update({ where: { key: 'evening' }, data: { key: 'campaign' } });
    expect(await keys()).toEqual(['campaign', 'campaign']);
    expect(await strapi.store.get(SCHEMA_VERSION)).toBeNull();
    await app.stop();
    strapi = await app.boot();
    admin = await adminToken(strapi);
  });

  afterAll(async () => {
    await app.remove();
  });

  it('migrates the tables to the current schema version and records it', async () => {
    expect(await strapi.store.get(SCHEMA_VERSION)).toBe(1);
  });

  it('renames the later of two variants sharing a key, and keeps both', async () => {
    expect(await keys()).toEqual(['campaign', 'campaign-2']);
    const listed = (await as(http().get(`/personalization/variants/${ARTICLE}/${baseId}`)).expect(200)).body.data;
    expect(listed.map((record: { key: string; name: string }) => [record.key, record.name])).toEqual([
      ['campaign', 'campaign'],
      ['campaign-2', 'evening'],
    ]);
    expect((await as(http().get('/personalization/reconcile')).expect(200)).body.data.detached).toEqual([]);
  });

  it('serves the migrated variants as before', async () => {
    const served = await http().get(`/api/articles/${baseId}`).expect(200);
    expect(served.body.data).toMatchObject({ title: 'campaign', personalization: { variant: 'campaign', kind: 'mass', reason: 'mass-match' } });
    expect((await http().get('/api/articles').expect(200)).body.data).toHaveLength(1);
  });

  it('runs no migration again on the next start', async () => {
    await app.stop();
    strapi = await app.boot();
    expect(await strapi.store.get(SCHEMA_VERSION)).toBe(1);
    expect(await keys()).toEqual(['campaign', 'campaign-2']);
  });
});
