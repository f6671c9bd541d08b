import { decodeMessage, encodeMessage, reconnectDelay, type Message } from '../../../server/src/coherence/messages';
import { stampChain } from '../../../server/src/coherence/chain';
import { chooseTransport } from '../../../server/src/services/coherence';

describe('coherence messages', () => {
  it.each<[string, Message]>([
    ['a variants change', { origin: 'a1', stamp: 'lx-01', change: { kind: 'variants' } }],
    ['a variants change without a stamp', { origin: 'a1', change: { kind: 'variants' } }],
    ['a revocation', { origin: 'b2', stamp: 'lx-02', change: { kind: 'revocation', recordId: 'rec_9', expiresAt: 1_900_000_000_000 } }],
  ])('round-trips %s', (_, message) => {
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded).toEqual({ ...message, stamp: message.stamp });
  });

  it('stays far below the 8000-byte NOTIFY payload limit', () => {
    const text = encodeMessage({ origin: 'o'.repeat(16), stamp: 's'.repeat(24), change: { kind: 'revocation', recordId: 'r'.repeat(64), expiresAt: Date.now() } });
    expect(Buffer.byteLength(text)).toBeLessThan(300);
  });

  it.each([
    ['not JSON', 'hello'],
    ['no origin', '{"k":"v"}'],
    ['an unknown kind', '{"o":"a","k":"x"}'],
    ['a revocation without a record id', '{"o":"a","k":"r","x":1}'],
    ['a revocation without an expiry', '{"o":"a","k":"r","id":"rec"}'],
    ['an oversized record id', JSON.stringify({ o: 'a', k: 'r', id: 'r'.repeat(500), x: 1 })],
    ['null', 'null'],
  ])('ignores %s', (_, text) => {
    expect(decodeMessage(text)).toBeUndefined();
  });
});

describe('reconnect backoff', () => {
  it('doubles from about 100 ms and stops at the cap', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10, 40].map((attempt) => reconnectDelay(attempt, 5_000, middle))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
  });

  it('spreads instances apart by ±20 %', () => {
    expect(reconnectDelay(3, 5_000, () => 0)).toBe(640);
    expect(reconnectDelay(3, 5_000, () => 1)).toBe(960);
  });
});

describe('choosing the transport', () => {
  it.each([
    ['auto', undefined, 'postgres', 'postgres'],
    ['auto', undefined, 'mysql', 'poll'],
    ['auto', undefined, 'sqlite', 'off'],
    ['auto', 'redis://127.0.0.1:6379', 'postgres', 'redis'],
    ['auto', 'redis://127.0.0.1:6379', 'mysql', 'redis'],
    ['poll', undefined, 'postgres', 'poll'],
    ['poll', undefined, 'sqlite', 'poll'],
    ['off', undefined, 'postgres', 'off'],
    ['redis', 'redis://127.0.0.1:6379', 'sqlite', 'redis'],
  ])('mode %s with redisUrl %s on %s is %s', (mode, redisUrl, client, expected) => {
    expect(chooseTransport(mode, redisUrl, client)).toBe(expected);
  });

  it('refuses mode postgres on another database, naming the key', () => {
    expect(() => chooseTransport('postgres', undefined, 'mysql')).toThrow(/coherence\.mode: "postgres" needs a PostgreSQL database, this one is mysql/);
  });
});

describe('variants change scope', () => {
  it.each<[string, Message]>([
    ['one base', { origin: 'a1', stamp: 's2', prev: 's1', change: { kind: 'variants', scope: { uid: 'api::article.article', base: 'doc1' } } }],
    ['one segment', { origin: 'a1', stamp: 's2', prev: 's1', change: { kind: 'variants', scope: { segment: 'hikers' } } }],
  ])('round-trips %s with the stamp it replaced', (_, message) => {
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });

  it.each([
    ['a type without a base', { o: 'a', k: 'v', s: 's', t: 'api::article.article' }],
    ['an oversized base', { o: 'a', k: 'v', s: 's', t: 'api::article.article', b: 'd'.repeat(500) }],
    ['a segment key that is not text', { o: 'a', k: 'v', s: 's', g: 7 }],
  ])('reads %s as a change to everything', (_, wire) => {
    expect(decodeMessage(JSON.stringify(wire))?.change).toEqual({ kind: 'variants' });
  });
});

describe('stamp chain', () => {
  it('moves on with each link in order', () => {
    const chain = stampChain();
    chain.reset('s0');
    chain.link('s0', 's1');
    chain.link('s1', 's2');
    expect(chain.head()).toBe('s2');
  });

  it('holds a link that arrives before its predecessor until the predecessor comes', () => {
    const chain = stampChain();
    chain.reset('s0');
    chain.link('s1', 's2');
    expect(chain.head()).toBe('s0');
    chain.link('s0', 's1');
    expect(chain.head()).toBe('s2');
  });

  it('stays behind a missed link, so the database stamp differs and everything is read again', () => {
    const chain = stampChain();
    chain.reset('s0');
    chain.link('s1', 's2');
    chain.link('s2', 's3');
    expect(chain.head()).toBe('s0');
    chain.reset('s3');
    expect(chain.head()).toBe('s3');
  });

  it('follows links already applied after a full read', () => {
    const chain = stampChain();
    chain.reset('s0');
    chain.link('s5', 's6');
    chain.reset('s5');
    expect(chain.head()).toBe('s6');
  });

  it('knows the stamps it has passed, so a stamp seen ahead can be checked again later', () => {
    const chain = stampChain();
    chain.reset('s0');
    expect(chain.reached('s1')).toBe(false);
    chain.link('s0', 's1');
    chain.link('s1', 's2');
    expect([chain.reached('s0'), chain.reached('s1'), chain.reached('s2'), chain.reached('s3')]).toEqual([true, true, true, false]);
  });

  it('ignores a link without a predecessor and bounds the links it holds', () => {
    const chain = stampChain(3);
    chain.reset('s0');
    chain.link(undefined, 's1');
    expect(chain.head()).toBe('s0');
    for (let i = 0; i < 10; i++) chain.link(`x${i}`, `y${i}`);
    chain.reset('x2');
    // Dropped when the bound was reached: the link is not followed, the next check reads everything.
    expect(chain.head()).toBe('x2');
    chain.reset('x9');
    expect(chain.head()).toBe('y9');
  });
});
