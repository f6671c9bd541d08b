import Redis from 'ioredis';
import { startCluster, type Cluster } from '../helpers/instance';
import { DATABASE_CLIENT, startStrapi } from '../helpers/strapi';

/**
 * The consent rate limit behind a load balancer: two instances on one database, requests from one
 * client address split over both. With Redis or the database as the store they share one count;
 * on the embedded SQLite setup each process counts its own.
 */
const MAX = 5;
const GRANT = { purposes: ['personalization'] };

const CONVERSION = { type: 'conversion', goal: 'signup' };

async function spread(cluster: Cluster, count: number, path = '/api/personalization/consent', body: unknown = GRANT): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const instance = cluster.instances[i % cluster.instances.length];
    statuses.push((await instance.request('POST', path, { body })).status);
  }
  return statuses;
}

async function expectSharedLimit(cluster: Cluster): Promise<void> {
  expect(await spread(cluster, MAX)).toEqual(Array(MAX).fill(201));
  // The next one is refused whichever instance takes it.
  for (const instance of cluster.instances) {
    const refused = await instance.request('POST', '/api/personalization/consent', { body: GRANT });
    expect({ instance: instance.name, status: refused.status }).toEqual({ instance: instance.name, status: 429 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.error).toMatchObject({ status: 429, name: 'TooManyRequestsError', details: { retryAfter } });
    expect(refused.headers['cache-control']).toBe('no-store');
  }
  // Conversions have a limit of their own, shared the same way; consent's being spent does not touch it.
  const events = await spread(cluster, MAX + 1, '/api/personalization/events', CONVERSION);
  expect(events.slice(0, MAX).every((status) => status !== 429)).toBe(true);
  expect(events[MAX]).toBe(429);
}

const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Redis outlives a test database: counts are scoped by database and schema, and a PostgreSQL or
 * MySQL run reuses its schema name, so what another test file (or run) counted in the last window
 * is forgotten first.
 */
async function forgetRedisCounts(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys('personalization:rate:*');
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('rate limit shared by two instances through Redis', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    await forgetRedisCounts();
    cluster = await startCluster({ config: { rateLimit: { windowSeconds: 60, max: MAX, events: { windowSeconds: 60, max: MAX }, redisUrl: REDIS_URL } } });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await forgetRedisCounts();
  });

  it(`answers request ${MAX + 1} of one client with 429, the requests split over both instances`, async () => {
    await expectSharedLimit(cluster);
  });
});

if (DATABASE_CLIENT === 'postgres' || DATABASE_CLIENT === 'mysql') {
  describe(`rate limit shared by two instances through the ${DATABASE_CLIENT} database`, () => {
    let cluster: Cluster;

    beforeAll(async () => {
      // No Redis configured: the default store on this database is the database.
      cluster = await startCluster({ config: { rateLimit: { windowSeconds: 60, max: MAX, events: { windowSeconds: 60, max: MAX } } } });
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
    });

    it(`answers request ${MAX + 1} of one client with 429, the requests split over both instances`, async () => {
      await expectSharedLimit(cluster);
    });
  });
} else {
  describe('rate limit on the embedded SQLite setup', () => {
    let cluster: Cluster;

    beforeAll(async () => {
      cluster = await startCluster({ config: { rateLimit: { windowSeconds: 60, max: MAX } } });
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
    });

    it('counts per process by default: each instance lets the client through up to the limit', async () => {
      expect(await spread(cluster, 2 * MAX)).toEqual(Array(2 * MAX).fill(201));
      expect((await cluster.instances[0].request('POST', '/api/personalization/consent', { body: GRANT })).status).toBe(429);
    });

    it('refuses a database store at startup, naming the field', async () => {
      await expect(startStrapi({ config: { rateLimit: { store: 'database' } } })).rejects.toThrow(/rateLimit\.store/);
    });
  });
}

describe('rate limit when Redis is unreachable', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Nothing listens on port 1: every hit falls back to this process's own count.
    cluster = await startCluster({ count: 1, config: { rateLimit: { windowSeconds: 60, max: MAX, redisUrl: 'redis://127.0.0.1:1' } } });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('still answers, and limits per process', async () => {
    expect(await spread(cluster, MAX)).toEqual(Array(MAX).fill(201));
    expect((await cluster.instances[0].request('POST', '/api/personalization/consent', { body: GRANT })).status).toBe(429);
  });
});
