import Redis from 'ioredis';
import type { Core } from '@strapi/strapi';
import { readyRateLimiter, RATE_LIMIT_TABLE, type RateLimiter, type RateLimitStore } from '../rate-limit';
import { siteKey } from '../coherence/stamps';
import { settings } from '../settings';
import type { PluginConfig } from '../config/schema';
import type { KoaContext } from '../koa-context';

/** The limits routes may ask for; each has its own window and maximum in `config.rateLimit`. */
export type LimitName = 'consent' | 'events';

export type RateLimitStoreKind = 'memory' | 'redis' | 'database';

/**
 * `auto`: Redis when a Redis URL is configured (`rateLimit.redisUrl`, else `coherence.redisUrl`),
 * the database on PostgreSQL and MySQL, process memory on SQLite. Throws, naming the field, when
 * the configured store cannot work on this database.
 */
export function chooseRateLimitStore(config: PluginConfig['rateLimit'], coherenceRedisUrl: string | undefined, client: string): RateLimitStoreKind {
  const redisUrl = config.redisUrl ?? coherenceRedisUrl;
  if (config.store === 'database' && client !== 'postgres' && client !== 'mysql') {
    throw new Error(`Invalid "personalization" plugin config: rateLimit.store: "database" needs PostgreSQL or MySQL, this one is ${client}`);
  }
  if (config.store !== 'auto') return config.store;
  if (redisUrl) return 'redis';
  return client === 'postgres' || client === 'mysql' ? 'database' : 'memory';
}

export interface RateLimitsService {
  /** Builds the limiters (and the database table when the store is the database); bootstrap calls it. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Which store counts: `memory` is per process. */
  store(): RateLimitStoreKind;
  /**
   * Counts the request against `limit` for its client address. Under the limit: true. Over it:
   * answers 429 with `Retry-After` itself and returns false; the rate-limit route middleware
   * (middlewares/rate-limit.ts) then stops the request before its controller.
   */
  admit(ctx: KoaContext, limit: LimitName): Promise<boolean>;
}

/** Whether the first connection attempt succeeds: until Redis is ready every hit is counted in memory. */
function connected(redis: Redis): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ready);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), 3_000);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** The `database` store: `table` (the plugin's own by default) in the database and schema Strapi uses, PostgreSQL or MySQL. */
export function databaseStore(strapi: Core.Strapi, table = RATE_LIMIT_TABLE): RateLimitStore {
  const knex = strapi.db.connection;
  if (strapi.db.dialect.client === 'postgres') return { kind: 'postgres', knex, schema: strapi.db.getInfo().schema || undefined, table };
  const database = (knex as unknown as { client: { connectionSettings: { database: string } } }).client.connectionSettings?.database;
  return { kind: 'mysql', knex, database, table };
}

const rateLimits = ({ strapi }: { strapi: Core.Strapi }): RateLimitsService => {
  let kind: RateLimitStoreKind = 'memory';
  let redis: Redis | undefined;
  let limiters: Record<LimitName, RateLimiter> | undefined;

  /** Keys scoped like the coherence channel: sites sharing a Redis never share counts. */
  const scope = () => `personalization:rate:${siteKey(strapi)}`;

  function storeFor(config: PluginConfig): RateLimitStore {
    if (kind === 'redis') {
      // No offline queue: while Redis is away a hit fails at once and is counted in memory instead.
      redis = new Redis(config.rateLimit.redisUrl ?? config.coherence.redisUrl!, {
        connectionName: 'personalization-rate-limits',
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1_000,
        connectTimeout: 2_000,
      });
      // ioredis reports each failed reconnect here; the insurance limiter covers the outage.
      redis.on('error', () => undefined);
      return { kind: 'redis', client: redis, prefix: scope() };
    }
    if (kind === 'database') return databaseStore(strapi);
    return { kind: 'memory' };
  }

  return {
    async start() {
      const { config } = settings(strapi);
      kind = chooseRateLimitStore(config.rateLimit, config.coherence.redisUrl, strapi.db.dialect.client);
      const store = storeFor(config);
      if (redis && !(await connected(redis))) {
        strapi.log.warn('[personalization] rateLimit: Redis does not answer yet; each instance counts on its own until it does');
      }
      try {
        // One after the other: both share one table, and the second finds it made.
        const consent = await readyRateLimiter('consent', config.rateLimit, store);
        const events = await readyRateLimiter('events', config.rateLimit.events, store);
        limiters = { consent, events };
      } catch (error) {
        throw new Error(`[personalization] rateLimit: could not create the ${RATE_LIMIT_TABLE} table: ${(error as Error).message}`);
      }
    },

    async stop() {
      redis?.disconnect();
      redis = undefined;
    },

    store: () => kind,

    async admit(ctx, limit) {
      if (!limiters) throw new Error('[personalization] rate limits used before bootstrap');
      const verdict = await limiters[limit].hit(ctx.request.ip);
      if (verdict.allowed) return true;
      ctx.set('Retry-After', String(verdict.retryAfterSeconds));
      ctx.set('Cache-Control', 'no-store');
      ctx.tooManyRequests(`too many ${limit} requests; retry in ${verdict.retryAfterSeconds} s`, {
        retryAfter: verdict.retryAfterSeconds,
      });
      return false;
    },
  };
};

export default rateLimits;
