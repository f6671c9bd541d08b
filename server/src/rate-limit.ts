/**
 * Fixed-window request limits per client, on rate-limiter-flexible. No Strapi import: the
 * rate-limits service picks the store from the config and the database, this module only counts.
 *
 * - `memory`: per process (the embedded SQLite default).
 * - `redis` and `database` (a table on PostgreSQL or MySQL): one count for every instance. When
 *   the store does not answer, the count goes on in this process's memory, so the routes keep
 *   working with a per-process limit instead of failing.
 */
import { isIPv6 } from 'node:net';
import {
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface RateLimitOptions {
  windowSeconds: number;
  max: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request of `client` and says whether it may proceed. */
  hit(client: string): Promise<RateVerdict>;
}

/** Where the counts live. `knex` is the database connection Strapi already holds. */
export type RateLimitStore =
  | { kind: 'memory' }
  | { kind: 'redis'; client: unknown; prefix: string }
  | { kind: 'postgres'; knex: unknown; schema?: string; table: string }
  | { kind: 'mysql'; knex: unknown; database: string; table: string };

const ALLOWED: RateVerdict = Object.freeze({ allowed: true });

/** A table the library creates on first use (`CREATE TABLE IF NOT EXISTS`), beside Strapi's own. */
export const RATE_LIMIT_TABLE = 'personalization_rate_limits';

/**
 * `name` keeps limits apart in a shared store (`consent`, `events`). `ready` settles once the
 * store's table exists; a limiter is usable before, counting in memory until then.
 */
export function createRateLimiter(name: string, options: RateLimitOptions, store: RateLimitStore): RateLimiter & { ready: Promise<void> } {
  const common = { keyPrefix: name, points: options.max, duration: options.windowSeconds };
  const memory = new RateLimiterMemory(common);
  let limiter: RateLimiterAbstract = memory;
  let ready: Promise<void> = Promise.resolve();
  // A client already refused is refused from memory until its window ends: a flood costs the store nothing.
  const shared = { ...common, insuranceLimiter: memory, inMemoryBlockOnConsumed: options.max + 1 };
  if (store.kind === 'redis') {
    limiter = new RateLimiterRedis({ ...shared, keyPrefix: `${store.prefix}:${name}`, storeClient: store.client, rejectIfRedisNotReady: true });
  } else if (store.kind === 'postgres' || store.kind === 'mysql') {
    ready = new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => (error ? reject(error) : resolve());
      limiter =
        store.kind === 'postgres'
          ? new RateLimiterPostgres(
              { ...shared, storeClient: store.knex, storeType: 'knex', tableName: store.table, schemaName: store.schema, clearExpiredByTimeout: true },
              done
            )
          : new RateLimiterMySQL(
              { ...shared, storeClient: store.knex, storeType: 'knex', dbName: store.database, tableName: store.table, clearExpiredByTimeout: true },
              done
            );
    });
  }
  return {
    ready,
    async hit(client) {
      try {
        await limiter.consume(clientKey(client));
        return ALLOWED;
      } catch (refusal) {
        // The library rejects with a RateLimiterRes when over the limit; anything else is a store error
        // the insurance limiter already absorbed, so it never reaches here.
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      }
    },
  };
}

/** Table creations tried before a store's limiter gives up. */
const CREATE_ATTEMPTS = 3;

/**
 * A limiter whose store table exists. PostgreSQL lets one of two concurrent `CREATE TABLE IF NOT
 * EXISTS` fail on its catalogue ("type … already exists"): two limiters, or two instances booting
 * at once. By then the other has created the table, so the creation is tried again, up to
 * `CREATE_ATTEMPTS` times in all, before the error is passed on. `pause` waits between attempts
 * (a short random delay; tests pass their own).
 */
export async function readyRateLimiter(
  name: string,
  options: RateLimitOptions,
  store: RateLimitStore,
  pause: (attempt: number) => Promise<void> = (attempt) => new Promise((resolve) => setTimeout(resolve, attempt * (20 + Math.random() * 80)))
): Promise<RateLimiter> {
  for (let attempt = 1; ; attempt += 1) {
    const limiter = createRateLimiter(name, options, store);
    try {
      await limiter.ready;
      return limiter;
    } catch (error) {
      if (attempt === CREATE_ATTEMPTS) throw error;
      await pause(attempt);
    }
  }
}

/** One client per IPv6 /64: a single subscriber line holds a whole /64 and could rotate within it. */
export function clientKey(address: string): string {
  const ip = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
