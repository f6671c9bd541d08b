import { claims, newVerifier, NOW, sign, SKEW } from './fixtures';

describe('verified-token cache', () => {
  it('returns the same verdict on a hit, through verify and peek', async () => {
    const verifier = await newVerifier();
    const token = await sign(claims());
    const first = await verifier.verify(token, NOW);
    expect(first.ok).toBe(true);
    expect(await verifier.verify(token, NOW + 1)).toBe(first);
    expect(verifier.peek(token, NOW + 1)).toBe(first);
  });

  it('has nothing to peek at before a token was verified', async () => {
    const verifier = await newVerifier();
    expect(verifier.peek(await sign(claims()), NOW)).toBeUndefined();
  });

  it('does not cache refusals', async () => {
    const verifier = await newVerifier();
    const forged = await sign(claims(), Buffer.from('not-our-secret-but-long-enough-00000000'));
    expect(await verifier.verify(forged, NOW)).toEqual({ ok: false, reason: 'token-signature' });
    expect(verifier.peek(forged, NOW)).toBeUndefined();
  });

  it('refuses a cached token once it has expired', async () => {
    const verifier = await newVerifier();
    const exp = NOW + 100;
    const token = await sign(claims({ exp }));
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    expect(verifier.peek(token, exp + SKEW - 1)?.ok).toBe(true);
    expect(verifier.peek(token, exp + SKEW)).toEqual({ ok: false, reason: 'token-expired' });
    expect(await verifier.verify(token, exp + SKEW)).toEqual({ ok: false, reason: 'token-expired' });
  });

  it('refuses a cached token once its consent record is revoked', async () => {
    const revoked = new Set<string>();
    const verifier = await newVerifier({ isRevoked: (rid) => revoked.has(rid) });
    const token = await sign(claims({ rid: 'record-to-withdraw' }));
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    revoked.add('record-to-withdraw');
    expect(verifier.peek(token, NOW)).toEqual({ ok: false, reason: 'token-revoked' });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-revoked' });
  });

  it('refuses a cached token when asked at a time before it became valid', async () => {
    const verifier = await newVerifier();
    const token = await sign(claims({ nbf: NOW }));
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    expect(verifier.peek(token, NOW - SKEW - 1)).toEqual({ ok: false, reason: 'token-not-yet-valid' });
  });

  it('keeps at most cacheSize tokens, evicting the least recently used', async () => {
    const verifier = await newVerifier({ cacheSize: 2 });
    const [a, b, c] = await Promise.all([sign(claims()), sign(claims()), sign(claims())]);
    await verifier.verify(a, NOW);
    await verifier.verify(b, NOW);
    verifier.peek(a, NOW); // a is now more recent than b
    await verifier.verify(c, NOW);
    expect(verifier.peek(a, NOW)?.ok).toBe(true);
    expect(verifier.peek(b, NOW)).toBeUndefined();
    expect(verifier.peek(c, NOW)?.ok).toBe(true);
  });

  it('still verifies with the cache switched off', async () => {
    const verifier = await newVerifier({ cacheSize: 0 });
    const token = await sign(claims());
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    expect(verifier.peek(token, NOW)).toBeUndefined();
  });
});
