import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi } from '../helpers/strapi';

describe('POST /api/personalization/consent rate limit', () => {
  let strapi: Core.Strapi;
  const http = () => request(strapi.server.httpServer);

  beforeAll(async () => {
    strapi = await startStrapi({ config: { rateLimit: { windowSeconds: 60, max: 3 } } });
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('answers the request past the limit with 429 and Retry-After, counting refused grants too', async () => {
    await http().post('/api/personalization/consent').send({ purposes: ['personalization'] }).expect(201);
    await http().post('/api/personalization/consent').send({ purposes: ['astrology'] }).expect(400);
    await http().post('/api/personalization/consent').send({ purposes: ['marketing'] }).expect(201);
    const limited = await http().post('/api/personalization/consent').send({ purposes: ['personalization'] }).expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error.status).toBe(429);
    expect(limited.body.data ?? null).toBeNull();
    // Only the two accepted grants were recorded.
    expect(await strapi.db.query('plugin::personalization.consent-record').count()).toBe(2);
  });

  it('limits only issuing: reading purposes and consent still works', async () => {
    await http().get('/api/personalization/purposes').expect(200);
    const refused = await http().get('/api/personalization/consent').expect(401);
    expect(refused.body.error.details.reason).toBe('no-token');
  });
});
