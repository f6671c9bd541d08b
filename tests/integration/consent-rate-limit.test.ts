import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { readyRateLimiter } from '../../server/src/rate-limit';
import { databaseStore } from '../../server/src/services/rate-limits';
import { DATABASE_CLIENT, startStrapi, stopStrapi } from '../helpers/strapi';

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

if (DATABASE_CLIENT === 'postgres' || DATABASE_CLIENT === 'mysql') {
  describe(`the rate-limit table on ${DATABASE_CLIENT}, when limiters and instances create it at once`, () => {
    let strapi: Core.Strapi;
    // A table of its own, absent before the test: every limiter below races to create it.
    const table = `personalization_rate_race_${process.pid}`;
    const knex = () => strapi.db.connection;

    async function rowsInTable(): Promise<number> {
      const [{ rows }] = (await knex()(table).count({ rows: '*' })) as Array<{ rows: number | string }>;
      return Number(rows);
    }

    const store = () => databaseStore(strapi, table);

    beforeAll(async () => {
      strapi = await startStrapi();
    });

    beforeEach(async () => {
      await knex().schema.dropTableIfExists(table);
      if (DATABASE_CLIENT === 'postgres') await knex().raw('DROP TYPE IF EXISTS ??', [table]);
    });

    afterAll(async () => {
      try {
        await knex()?.schema.dropTableIfExists(table);
      } finally {
        await stopStrapi(strapi);
      }
    });

    it('makes every limiter ready, each counting in the one table', async () => {
      const names = Array.from({ length: 8 }, (_, index) => `race${index}`);
      const limiters = await Promise.all(names.map((name) => readyRateLimiter(name, { windowSeconds: 60, max: 1 }, store())));
      for (const limiter of limiters) {
        expect(await limiter.hit('192.0.2.1')).toEqual({ allowed: true });
        expect(await limiter.hit('192.0.2.1')).toMatchObject({ allowed: false });
      }
      // One row per limiter: the counts went to the table, not to the in-memory fallback.
      expect(await rowsInTable()).toBe(names.length);
    });

    if (DATABASE_CLIENT === 'postgres') {
      it('becomes ready when another instance is still creating the table', async () => {
        // Another instance's creation, not yet committed: ours waits for it, then finds the table.
        const other = await knex().transaction();
        await other.raw('CREATE TABLE ?? (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)', [table]);
        const limiter = readyRateLimiter('late', { windowSeconds: 60, max: 1 }, store());
        await new Promise((resolve) => setTimeout(resolve, 300));
        await other.commit();
        const ready = await limiter;
        expect(await ready.hit('192.0.2.9')).toEqual({ allowed: true });
        expect(await ready.hit('192.0.2.9')).toMatchObject({ allowed: false });
        expect(await rowsInTable()).toBe(1);
      });

      it('tries again when a creation fails as one that lost a race does ("type … already exists")', async () => {
        // Two creations that both found no table: PostgreSQL fails the later one on the row type
        // named after the table. A type of that name that is not a relation (an enum) fails the
        // first attempt the same way.
        await knex().raw("CREATE TYPE ?? AS ENUM ('placeholder')", [table]);
        const pauses: number[] = [];
        const ready = await readyRateLimiter('retried', { windowSeconds: 60, max: 1 }, store(), async (attempt) => {
          pauses.push(attempt);
          await knex().raw('DROP TYPE ??', [table]);
        });
        expect(pauses).toEqual([1]);
        expect(await ready.hit('192.0.2.10')).toEqual({ allowed: true });
        expect(await rowsInTable()).toBe(1);
      });

      it('gives up after its attempts, with the database\'s reason', async () => {
        await knex().raw("CREATE TYPE ?? AS ENUM ('placeholder')", [table]);
        const pauses: number[] = [];
        try {
          await expect(readyRateLimiter('refused', { windowSeconds: 60, max: 1 }, store(), async (attempt) => void pauses.push(attempt))).rejects.toThrow(/already exists/);
          expect(pauses).toEqual([1, 2]);
        } finally {
          await knex().raw('DROP TYPE IF EXISTS ??', [table]);
        }
      });
    }
  });
}
