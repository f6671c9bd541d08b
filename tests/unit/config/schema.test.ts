import { parseConfig } from '../../../server/src/config/schema';

describe('plugin config', () => {
  it('fills every default from an empty config', () => {
    const config = parseConfig({});
    expect(config.purposes.map((p) => p.key)).toEqual([
      'necessary',
      'functional',
      'personalization',
      'measurement',
      'marketing',
    ]);
    expect(config.timeZone).toBe('UTC');
    expect(config.tcf.purposes).toEqual({ personalization: [5, 6], measurement: [8], marketing: [2, 3, 4] });
    expect(config.gpc.denies).toEqual(['marketing']);
    expect(config.coherence).toEqual({ mode: 'auto', pollIntervalMs: 500 });
  });

  it.each([
    [{ tokenTtlSeconds: 'abc' }, /tokenTtlSeconds/],
    [{ tokenTtlSeconds: -1 }, /tokenTtlSeconds/],
    [{ timeZone: 'Mars/Olympus' }, /timeZone: must be an IANA time zone/],
    [{ tokenSecret: 'short' }, /tokenSecret: must be at least 32 characters/],
    [{ attributes: { now: { type: 'date', source: 'token', purpose: 'personalization' } } }, /attributes\.now: "now" is a built-in/],
    [{ attributes: { age: { type: 'integer', source: 'token', purpose: 'personalization' } } }, /attributes\.age\.type/],
    [{ attributes: { age: { type: 'number', source: 'cookie', purpose: 'personalization' } } }, /attributes\.age\.source/],
    [{ gpc: { denies: ['advertising'] } }, /gpc\.denies\.0: unknown purpose "advertising"/],
    [{ tcf: { purposes: { analytics: [8] } } }, /tcf\.purposes\.analytics: unknown purpose/],
    [{ purposes: [{ key: 'a', title: 'A' }, { key: 'a', title: 'B' }] }, /purposes\.1\.key: duplicate purpose "a"/],
    [{ issuers: [{ issuer: 'cmp', keys: [] }] }, /issuers\.0\.keys/],
    [{ rateLimits: {} }, /rateLimits/],
    [{ coherence: { mode: 'kafka' } }, /coherence\.mode/],
    [{ coherence: { mode: 'redis' } }, /coherence\.redisUrl: is required when mode is "redis"/],
    [{ coherence: { redisUrl: 'http://cache:6379' } }, /coherence\.redisUrl: must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ coherence: { pollIntervalMs: 10 } }, /coherence\.pollIntervalMs/],
    [{ coherence: { pollIntervalMs: 'fast' } }, /coherence\.pollIntervalMs/],
    [{ coherence: { channel: 'x' } }, /coherence/],
  ])('refuses %j naming the key', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it('accepts a coherence transport with its settings', () => {
    expect(parseConfig({ coherence: { mode: 'redis', redisUrl: 'rediss://cache.internal:6380/2' } }).coherence).toEqual({
      mode: 'redis',
      redisUrl: 'rediss://cache.internal:6380/2',
      pollIntervalMs: 500,
    });
    expect(parseConfig({ coherence: { mode: 'poll', pollIntervalMs: 250 } }).coherence).toEqual({ mode: 'poll', pollIntervalMs: 250 });
  });

  it('accepts attributes whose purposes exist', () => {
    const config = parseConfig({
      attributes: { interests: { type: 'string[]', source: 'token', purpose: 'personalization' } },
    });
    expect(config.attributes.interests.type).toBe('string[]');
  });
});
