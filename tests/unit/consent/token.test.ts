import { createTokenIssuer, createTokenVerifier } from '../../../server/src/core/consent';
import {
  base64url,
  claims,
  keyPair,
  newVerifier,
  NOW,
  OWN_ISSUER,
  PARTNER,
  SECRET,
  sign,
  SKEW,
  verifierOptions,
  type KeyPairWithJwk,
} from './fixtures';

let ed1: KeyPairWithJwk;
let ed2: KeyPairWithJwk;
let es: KeyPairWithJwk;

beforeAll(async () => {
  [ed1, ed2, es] = await Promise.all([
    keyPair('EdDSA', 'ed-2025'),
    keyPair('EdDSA', 'ed-2026'),
    keyPair('ES256', 'es-1'),
  ]);
});

const partner = (keys: KeyPairWithJwk[], audience?: string) => ({
  issuer: PARTNER,
  audience,
  algorithms: ['EdDSA', 'ES256'] as ('EdDSA' | 'ES256')[],
  keys: keys.map((key) => key.publicJwk),
});

const partnerClaims = (overrides = {}) => claims({ iss: PARTNER, aud: 'my-site', ...overrides });

describe('issuing tokens', () => {
  it('issues an HS256 token our verifier accepts, with every claim of the contract', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 600, issuer: OWN_ISSUER, policyVersion: '3' });
    const issued = await issuer.issue(
      { purposes: ['personalization', 'marketing'], attributes: { interests: ['bikes'] } },
      new Date(NOW * 1000)
    );
    expect(issued.expiresAt).toBe(new Date((NOW + 600) * 1000).toISOString());
    expect(issued.issuedAt).toBe(new Date(NOW * 1000).toISOString());
    expect(issued.purposes).toEqual(['personalization', 'marketing']);

    const result = await (await newVerifier()).verify(issued.token, NOW + 1);
    expect(result).toEqual({
      ok: true,
      own: true,
      claims: {
        sub: issued.subject,
        rid: issued.recordId,
        pur: ['personalization', 'marketing'],
        attr: { interests: ['bikes'] },
        pv: '3',
        iss: OWN_ISSUER,
        iat: NOW,
        exp: NOW + 600,
      },
    });
  });

  it('gives every token its own random subject and record id', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 600, issuer: OWN_ISSUER, policyVersion: '1' });
    const [a, b] = await Promise.all([issuer.issue({ purposes: [] }), issuer.issue({ purposes: [] })]);
    expect(a.subject).not.toBe(b.subject);
    expect(a.recordId).not.toBe(b.recordId);
    expect(a.subject).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes no preview time into a token of a grant without one', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 600, issuer: OWN_ISSUER, policyVersion: '1' });
    const issued = await issuer.issue({ purposes: ['personalization'] }, new Date(NOW * 1000));
    expect(JSON.parse(Buffer.from(issued.token.split('.')[1], 'base64url').toString())).not.toHaveProperty('pat');
    const result = await (await newVerifier()).verify(issued.token, NOW);
    expect(result.ok && result.claims.pat).toBeUndefined();
  });

  it('writes a preview time as pat, in epoch milliseconds, and reads it back', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 600, issuer: OWN_ISSUER, policyVersion: '1' });
    const at = Date.UTC(2027, 0, 15, 9, 30);
    const issued = await issuer.issue({ purposes: [], previewAt: at }, new Date(NOW * 1000));
    expect(JSON.parse(Buffer.from(issued.token.split('.')[1], 'base64url').toString())).toMatchObject({ pat: at });
    expect(await (await newVerifier()).verify(issued.token, NOW)).toMatchObject({ ok: true, own: true, claims: { pat: at } });
  });

  it('writes the grant policy version when given one', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 600, issuer: OWN_ISSUER, policyVersion: '1' });
    const issued = await issuer.issue({ purposes: [], policyVersion: '2' }, new Date(NOW * 1000));
    const result = await (await newVerifier()).verify(issued.token, NOW);
    expect(result.ok && result.claims.pv).toBe('2');
  });
});

describe('refusing tokens', () => {
  it('refuses an HS256 token signed with the public key bytes of an EdDSA issuer (HS/asymmetric confusion)', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const publicKeyBytes = Buffer.from(JSON.stringify(ed1.publicJwk));
    const xBytes = Buffer.from(ed1.publicJwk.x as string, 'base64url');
    for (const key of [publicKeyBytes, xBytes]) {
      const namingTheKey = await sign(partnerClaims(), key, { alg: 'HS256', kid: ed1.publicJwk.kid });
      expect(await verifier.verify(namingTheKey, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
      const namingTheIssuer = await sign(partnerClaims(), key, { alg: 'HS256' });
      expect(await verifier.verify(namingTheIssuer, NOW)).toEqual({ ok: false, reason: 'token-signature' });
    }
  });

  it('refuses an HS256 token naming an external key even when no own secret is configured', async () => {
    const verifier = await newVerifier({ secret: undefined, issuers: [partner([ed1])] });
    const token = await sign(partnerClaims(), Buffer.from(ed1.publicJwk.x as string, 'base64url'), {
      alg: 'HS256',
      kid: ed1.publicJwk.kid,
    });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
    expect(await verifier.verify(await sign(claims()), NOW)).toEqual({ ok: false, reason: 'token-unknown-key' });
  });

  it('refuses an EdDSA token for our own HS256 issuer', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const token = await sign(claims(), ed1.privateKey, { alg: 'EdDSA' });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
  });

  it('refuses a token whose alg differs from its key (EdDSA token naming an ES256 key)', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1, es])] });
    const token = await sign(partnerClaims(), ed1.privateKey, { alg: 'EdDSA', kid: es.publicJwk.kid });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
  });

  it.each([
    ['with an empty signature', ''],
    ['with a made-up signature', '.c2lnbmF0dXJl'],
  ])('refuses alg: none %s', async (_label, signature) => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const unsigned = `${base64url({ alg: 'none' })}.${base64url(claims())}`;
    const token = signature === '' ? `${unsigned}.` : `${unsigned}${signature}`;
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
    const withKid = `${base64url({ alg: 'none', kid: ed1.publicJwk.kid })}.${base64url(partnerClaims())}.`;
    expect(await verifier.verify(withKid, NOW)).toEqual({ ok: false, reason: 'token-algorithm' });
  });

  it('refuses a kid no issuer has', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const token = await sign(partnerClaims(), ed1.privateKey, { alg: 'EdDSA', kid: 'ed-unknown' });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-unknown-key' });
  });

  it('refuses a kid that is not a string', async () => {
    const verifier = await newVerifier();
    const token = `${base64url({ alg: 'HS256', kid: 7 })}.${base64url(claims())}.c2ln`;
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const token = await sign(partnerClaims(), ed2.privateKey, { alg: 'EdDSA', kid: ed1.publicJwk.kid });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-signature' });
  });

  it('refuses our token signed with another secret', async () => {
    const token = await sign(claims(), Buffer.from('another-secret-that-is-long-enough-000000'));
    expect(await (await newVerifier()).verify(token, NOW)).toEqual({ ok: false, reason: 'token-signature' });
  });

  it.each([
    ['a foreign iss on our token', claims({ iss: 'someone-else' })],
    ['a foreign aud on our token', claims({ aud: 'someone-else' })],
    ['no aud on our token', claims({ aud: undefined })],
    ['no iss on our token', claims({ iss: undefined })],
  ])('refuses %s', async (_label, payload) => {
    expect(await (await newVerifier()).verify(await sign(payload), NOW)).toEqual({ ok: false, reason: 'token-issuer' });
  });

  it('refuses an external token whose iss is not the issuer its kid belongs to', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    for (const iss of [OWN_ISSUER, 'https://evil.example']) {
      const token = await sign(partnerClaims({ iss }), ed1.privateKey, { alg: 'EdDSA', kid: ed1.publicJwk.kid });
      expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-issuer' });
    }
  });

  it('checks the audience of an external issuer when one is configured', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1], 'my-site')] });
    const header = { alg: 'EdDSA', kid: ed1.publicJwk.kid };
    const right = await sign(partnerClaims(), ed1.privateKey, header);
    const wrong = await sign(partnerClaims({ aud: 'other-site' }), ed1.privateKey, header);
    expect((await verifier.verify(right, NOW)).ok).toBe(true);
    expect(await verifier.verify(wrong, NOW)).toEqual({ ok: false, reason: 'token-issuer' });
  });

  it('refuses an expired token', async () => {
    const token = await sign(claims({ exp: NOW - SKEW - 1 }));
    expect(await (await newVerifier()).verify(token, NOW)).toEqual({ ok: false, reason: 'token-expired' });
  });

  it('accepts a token expired by less than the clock skew', async () => {
    const token = await sign(claims({ exp: NOW - SKEW + 1 }));
    expect((await (await newVerifier()).verify(token, NOW)).ok).toBe(true);
  });

  it.each([
    ['nbf', { nbf: NOW + SKEW + 1 }],
    ['iat', { iat: NOW + SKEW + 1 }],
  ])('refuses a token not yet valid by %s beyond the clock skew', async (_claim, overrides) => {
    const token = await sign(claims(overrides));
    expect(await (await newVerifier()).verify(token, NOW)).toEqual({ ok: false, reason: 'token-not-yet-valid' });
  });

  it.each([
    ['nbf', { nbf: NOW + SKEW }],
    ['iat', { iat: NOW + SKEW }],
  ])('accepts a token whose %s lies within the clock skew', async (_claim, overrides) => {
    const token = await sign(claims(overrides));
    expect((await (await newVerifier()).verify(token, NOW)).ok).toBe(true);
  });

  it('refuses an oversized token before parsing it', async () => {
    const verifier = await newVerifier({ maxTokenBytes: 512 });
    const signedButLarge = await sign(claims({ attr: { interests: ['x'.repeat(600)] } }));
    expect(await verifier.verify(signedButLarge, NOW)).toEqual({ ok: false, reason: 'token-oversized' });
    expect(await verifier.verify('!'.repeat(513), NOW)).toEqual({ ok: false, reason: 'token-oversized' });
    // Length is within the cap but the bytes are not: the cap counts bytes.
    expect(await verifier.verify('é'.repeat(300), NOW)).toEqual({ ok: false, reason: 'token-oversized' });
    expect(await verifier.verify('!'.repeat(512), NOW)).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it('refuses a truncated token', async () => {
    const verifier = await newVerifier();
    const token = await sign(claims());
    const [header, payload] = token.split('.');
    expect(await verifier.verify(token.slice(0, -2), NOW)).toEqual({ ok: false, reason: 'token-signature' });
    expect(await verifier.verify(`${header}.${payload}`, NOW)).toEqual({ ok: false, reason: 'token-malformed' });
    expect(await verifier.verify(header, NOW)).toEqual({ ok: false, reason: 'token-malformed' });
    expect(await verifier.verify(token.slice(0, header.length + 10), NOW)).toEqual({
      ok: false,
      reason: 'token-malformed',
    });
  });

  it.each([
    ['characters outside base64url', (t: string) => t.replace('.', '!.')],
    ['a header that is not JSON', (t: string) => `${base64url('not json')}.${t.split('.')[1]}.${t.split('.')[2]}`],
    ['a header that is a JSON array', (t: string) => `${base64url([1])}.${t.split('.')[1]}.${t.split('.')[2]}`],
    ['standard base64 instead of base64url', (t: string) => `${t}+/=`],
    ['four parts', (t: string) => `${t}.abc`],
    ['an empty string', () => ''],
    ['whitespace around it', (t: string) => ` ${t} `],
  ])('refuses a token with %s as malformed', async (_label, mangle) => {
    const token = mangle(await sign(claims()));
    expect(await (await newVerifier()).verify(token, NOW)).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it('refuses a signed payload that is not JSON', async () => {
    const { createHmac } = await import('node:crypto');
    const signingInput = `${base64url({ alg: 'HS256' })}.${base64url('{not json')}`;
    const signature = createHmac('sha256', SECRET).update(signingInput).digest('base64url');
    const result = await (await newVerifier()).verify(`${signingInput}.${signature}`, NOW);
    expect(result).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it.each([
    ['pur that is not an array', { pur: 'personalization' }],
    ['pur with a non-string', { pur: ['personalization', 5] }],
    ['attr that is an array', { attr: ['bikes'] }],
    ['attr that is a string', { attr: 'bikes' }],
    ['attr that is null', { attr: null }],
    ['rid that is a number', { rid: 42 }],
    ['an empty rid', { rid: '' }],
    ['no rid', { rid: undefined }],
    ['no sub', { sub: undefined }],
    ['sub that is an object', { sub: { id: 1 } }],
    ['no pv', { pv: undefined }],
    ['no pur', { pur: undefined }],
    ['pat that is a string', { pat: '1800000000000' }],
    ['pat that is null', { pat: null }],
    ['pat that is an object', { pat: { at: 1 } }],
    ['no exp', { exp: undefined }],
    ['exp that is a string', { exp: String(NOW + 3600) }],
    ['no iat', { iat: undefined }],
  ])('refuses a token with %s as malformed', async (_label, overrides) => {
    const token = await sign(claims(overrides as Record<string, unknown>));
    expect(await (await newVerifier()).verify(token, NOW)).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it('accepts a token without attr as sharing nothing', async () => {
    const result = await (await newVerifier()).verify(await sign(claims({ attr: undefined })), NOW);
    expect(result.ok && result.claims.attr).toEqual({});
  });

  it('refuses a token whose consent record is revoked', async () => {
    const token = await sign(claims({ rid: 'withdrawn' }));
    const verifier = await newVerifier({ isRevoked: (rid) => rid === 'withdrawn' });
    expect(await verifier.verify(token, NOW)).toEqual({ ok: false, reason: 'token-revoked' });
    expect((await verifier.verify(await sign(claims()), NOW)).ok).toBe(true);
  });

  it('hands out frozen claims, so a consumer cannot swap what the cache shares', async () => {
    const result = await (await newVerifier()).verify(await sign(claims({ attr: { interests: ['a'] } })), NOW);
    if (!result.ok) throw new Error('expected a valid token');
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.claims)).toBe(true);
    expect(Object.isFrozen(result.claims.attr)).toBe(true);
  });
});

describe('external issuers and key rotation', () => {
  it('marks tokens verified with our own secret as ours, and external ones as not, pat or no pat', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1])] });
    const ours = await sign(claims({ pat: NOW * 1000 }));
    const theirs = await sign(partnerClaims({ pat: NOW * 1000 }), ed1.privateKey, { alg: 'EdDSA', kid: ed1.publicJwk.kid });
    expect(await verifier.verify(ours, NOW)).toMatchObject({ ok: true, own: true, claims: { pat: NOW * 1000 } });
    expect(await verifier.verify(theirs, NOW)).toMatchObject({ ok: true, own: false, claims: { pat: NOW * 1000 } });
  });

  it('does not take an external issuer configured under our own issuer name for us', async () => {
    const verifier = await newVerifier({ issuers: [{ ...partner([ed1]), issuer: OWN_ISSUER }] });
    const token = await sign(claims({ pat: NOW * 1000 }), ed1.privateKey, { alg: 'EdDSA', kid: ed1.publicJwk.kid });
    expect(await verifier.verify(token, NOW)).toMatchObject({ ok: true, own: false, claims: { iss: OWN_ISSUER } });
  });

  it('accepts EdDSA and ES256 tokens of a configured issuer, selected by kid', async () => {
    const verifier = await newVerifier({ issuers: [partner([ed1, es])] });
    const edToken = await sign(partnerClaims(), ed1.privateKey, { alg: 'EdDSA', kid: ed1.publicJwk.kid });
    const esToken = await sign(partnerClaims(), es.privateKey, { alg: 'ES256', kid: es.publicJwk.kid });
    expect(await verifier.verify(edToken, NOW)).toMatchObject({ ok: true, claims: { iss: PARTNER } });
    expect(await verifier.verify(esToken, NOW)).toMatchObject({ ok: true, claims: { iss: PARTNER } });
  });

  it('verifies old and new kid while both are configured, and only the new one after the old is removed', async () => {
    const header = (key: KeyPairWithJwk) => ({ alg: 'EdDSA', kid: key.publicJwk.kid });
    const oldToken = await sign(partnerClaims(), ed1.privateKey, header(ed1));
    const newToken = await sign(partnerClaims(), ed2.privateKey, header(ed2));

    const during = await newVerifier({ issuers: [partner([ed1, ed2])] });
    expect((await during.verify(oldToken, NOW)).ok).toBe(true);
    expect((await during.verify(newToken, NOW)).ok).toBe(true);

    const after = await newVerifier({ issuers: [partner([ed2])] });
    expect(await after.verify(oldToken, NOW)).toEqual({ ok: false, reason: 'token-unknown-key' });
    expect((await after.verify(newToken, NOW)).ok).toBe(true);
  });

  it.each([
    ['a private key', (key: KeyPairWithJwk) => ({ ...key.publicJwk, d: 'AAAA' })],
    ['a symmetric key', (key: KeyPairWithJwk) => ({ kty: 'oct', k: 'c2VjcmV0', kid: key.publicJwk.kid })],
    ['a key of an algorithm the issuer does not allow', (key: KeyPairWithJwk) => ({ ...key.publicJwk, alg: 'RS256' })],
  ])('refuses to start with %s in an issuer', async (_label, makeKey) => {
    const issuer = { issuer: PARTNER, algorithms: ['EdDSA' as const], keys: [makeKey(ed1)] };
    await expect(createTokenVerifier(verifierOptions({ issuers: [issuer] }))).rejects.toThrow(PARTNER);
  });

  it('refuses to start with the same kid twice', async () => {
    const issuers = [partner([ed1]), { ...partner([ed1]), issuer: 'https://other.example' }];
    await expect(createTokenVerifier(verifierOptions({ issuers }))).rejects.toThrow('kid is used twice');
  });

  it('refuses to start with an ES256 key in an EdDSA-only issuer', async () => {
    const issuer = { issuer: PARTNER, algorithms: ['EdDSA' as const], keys: [es.publicJwk] };
    await expect(createTokenVerifier(verifierOptions({ issuers: [issuer] }))).rejects.toThrow('algorithm');
  });
});
