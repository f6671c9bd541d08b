import { revocationMemory } from '../../../server/src/core/consent/revocation-memory';
import { claims, newVerifier, NOW, sign } from './fixtures';

const LATER = Date.now() + 86_400_000;

describe('revocations in memory, bounded', () => {
  it('answers alone while every revocation fits', () => {
    const memory = revocationMemory({ limit: 3 });
    memory.loaded([['a', LATER], ['b', LATER]], 2);
    memory.add('c', LATER);
    expect([memory.has('a'), memory.has('c'), memory.has('never')]).toEqual([true, true, false]);
    expect(memory.complete).toBe(true);
  });

  it('keeps at most `limit`, the newest, and then cannot tell about the rest', () => {
    const evicted: string[] = [];
    const memory = revocationMemory({ limit: 3, onEvict: (recordId) => evicted.push(recordId) });
    for (const recordId of ['a', 'b', 'c', 'd', 'e']) memory.add(recordId, LATER);
    expect(memory.size).toBe(3);
    expect(evicted).toEqual(['a', 'b']);
    expect([memory.has('e'), memory.has('c')]).toEqual([true, true]);
    expect([memory.has('a'), memory.has('never')]).toEqual([undefined, undefined]);
    expect(memory.complete).toBe(false);
  });

  it('knows from the database count whether a load holds them all', () => {
    const memory = revocationMemory({ limit: 2 });
    memory.loaded([['y', LATER], ['z', LATER]], 1_000_000);
    expect([memory.has('z'), memory.has('other')]).toEqual([true, undefined]);
    memory.loaded([['z', LATER]], 1);
    expect(memory.has('other')).toBe(false);
  });

  it('lets go of revocations whose tokens can no longer verify, without losing completeness', () => {
    const memory = revocationMemory({ limit: 5 });
    memory.add('old', Date.now() - 1_000);
    memory.add('live', LATER);
    memory.forgetExpired(Date.now());
    expect([memory.has('old'), memory.has('live'), memory.size]).toEqual([false, true, 1]);
  });
});

describe('token verification when memory cannot tell', () => {
  it('asks the database for a token verified afresh, and refuses one recorded as revoked', async () => {
    const asked: string[] = [];
    const verifier = await newVerifier({
      isRevoked: () => undefined,
      confirmRevoked: async (rid: string) => (asked.push(rid), rid === 'withdrawn'),
    });
    expect(await verifier.verify(await sign(claims({ rid: 'withdrawn' })), NOW)).toEqual({ ok: false, reason: 'token-revoked' });
    const kept = await sign(claims({ rid: 'kept' }));
    expect((await verifier.verify(kept, NOW)).ok).toBe(true);
    // Cached: the next requests ask nothing.
    expect((await verifier.verify(kept, NOW)).ok).toBe(true);
    expect(verifier.peek(kept, NOW)?.ok).toBe(true);
    expect(asked).toEqual(['withdrawn', 'kept']);
  });

  it('refuses the token when the database cannot answer', async () => {
    const verifier = await newVerifier({
      isRevoked: () => undefined,
      confirmRevoked: async () => {
        throw new Error('connection lost');
      },
    });
    expect(await verifier.verify(await sign(claims()), NOW)).toEqual({ ok: false, reason: 'token-revoked' });
  });

  it('drops the cached tokens of a revocation memory lets go, so they are checked again', async () => {
    let revoked = true;
    const verifier = await newVerifier({ isRevoked: () => undefined, confirmRevoked: async () => revoked });
    const token = await sign(claims({ rid: 'r1' }));
    revoked = false;
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    verifier.forget('r1');
    expect(verifier.peek(token, NOW)).toBeUndefined();
    revoked = true;
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-revoked' });
  });
});
