import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi, grantPublic } from '../helpers/strapi';

describe('the plugin in a real Strapi app', () => {
  let strapi: Core.Strapi;

  beforeAll(async () => {
    strapi = await startStrapi();
    await grantPublic(strapi, ['api::article.article.find', 'api::homepage.homepage.find']);
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('is loaded under the id "personalization"', () => {
    expect(strapi.plugin('personalization')).toBeDefined();
    expect(strapi.plugin('personalization').controller('consent')).toBeDefined();
  });

  it('registers its RBAC actions with the admin', () => {
    const uids = strapi.admin.services.permission.actionProvider.values().map((action: { actionId: string }) => action.actionId);
    expect(uids).toEqual(
      expect.arrayContaining(['plugin::personalization.read', 'plugin::personalization.variants.manage'])
    );
  });

  it('serves an enabled collection type on the content API', async () => {
    await strapi.documents('api::article.article').create({
      data: { title: 'Plain article' },
      status: 'published',
    });
    const response = await request(strapi.server.httpServer).get('/api/articles').expect(200);
    expect(response.body.data.map((entry: { title: string }) => entry.title)).toContain('Plain article');
  });

  it('answers GET /api/personalization/purposes with the configured purposes and attributes', async () => {
    const response = await request(strapi.server.httpServer).get('/api/personalization/purposes').expect(200);
    const personalization = response.body.data.find((p: { key: string }) => p.key === 'personalization');
    expect(personalization.attributes.map((a: { name: string }) => a.name)).toEqual(
      expect.arrayContaining(['interests', 'ageGroup'])
    );
    expect(response.body.data.map((p: { key: string }) => p.key)).toEqual([
      'necessary',
      'functional',
      'personalization',
      'measurement',
      'marketing',
    ]);
  });
});
