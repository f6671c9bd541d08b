import { clientKey, createRateLimiter } from '../../../server/src/rate-limit';
import { chooseRateLimitStore } from '../../../server/src/services/rate-limits';
import { parseConfig } from '../../../server/src/config/schema';

describe('rate limiter (process memory)', () => {
  it('lets max requests through per window, then refuses with a retry delay within the window', async () => {
    const limiter = createRateLimiter('test', { windowSeconds: 60, max: 2 }, { kind: 'memory' });
    expect(await limiter.hit('203.0.113.7')).toEqual({ allowed: true });
    expect(await limiter.hit('203.0.113.7')).toEqual({ allowed: true });
    const refused = await limiter.hit('203.0.113.7');
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Another client has its own count.
    expect(await limiter.hit('203.0.113.8')).toEqual({ allowed: true });
  });

  it('keeps two named limits apart', async () => {
    const store = { kind: 'memory' } as const;
    const consent = createRateLimiter('consent', { windowSeconds: 60, max: 1 }, store);
    const events = createRateLimiter('events', { windowSeconds: 60, max: 1 }, store);
    expect((await consent.hit('198.51.100.1')).allowed).toBe(true);
    expect((await events.hit('198.51.100.1')).allowed).toBe(true);
    expect((await consent.hit('198.51.100.1')).allowed).toBe(false);
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:0:1:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'],
    ['2001:0DB8:0000:0001::1', '2001:db8:0:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('rate limit store', () => {
  const config = (rateLimit: unknown = {}, coherence: unknown = {}) => parseConfig({ rateLimit, coherence });
  const choose = (client: string, rateLimit?: unknown, coherence?: unknown) => {
    const parsed = config(rateLimit, coherence);
    return chooseRateLimitStore(parsed.rateLimit, parsed.coherence.redisUrl, client);
  };

  it('is per process on SQLite, the database on PostgreSQL and MySQL, Redis when a URL is set', () => {
    expect(choose('sqlite')).toBe('memory');
    expect(choose('postgres')).toBe('database');
    expect(choose('mysql')).toBe('database');
    expect(choose('sqlite', { redisUrl: 'redis://127.0.0.1:6379' })).toBe('redis');
    expect(choose('postgres', {}, { redisUrl: 'redis://127.0.0.1:6379' })).toBe('redis');
    expect(choose('postgres', { store: 'memory' })).toBe('memory');
  });

  it('refuses a database store on SQLite and a Redis store without a URL, naming the field', () => {
    expect(() => choose('sqlite', { store: 'database' })).toThrow(/rateLimit\.store/);
    expect(() => config({ store: 'redis' })).toThrow(/rateLimit\.redisUrl/);
    expect(() => config({ store: 'valkey' })).toThrow(/rateLimit\.store/);
    expect(() => config({ events: { max: 0 } })).toThrow(/rateLimit\.events\.max/);
  });
});
