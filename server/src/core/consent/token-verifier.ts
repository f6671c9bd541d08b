/**
 * Verifies consent tokens. Every failure is a reason code, never an exception: a bad token only
 * means generic content. Verified tokens are kept in a bounded LRU keyed by the token string;
 * `exp`, `nbf` and revocation are re-checked on every hit, so the cache never extends a consent.
 */
import { decodeProtectedHeader, errors, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import { LRUCache } from 'lru-cache';
import type { ConsentClaims, TokenFailure, TokenResult } from './token';
import { consentClaimsFrom } from './token-claims';
import { loadKeyRing, type ExternalIssuer, type KeyRing, type VerificationKey } from './token-keys';

export interface TokenVerifierOptions {
  /** Our own HS256 secret; without it only external issuers' tokens verify. */
  secret?: string;
  /** Our own issuer: the `iss` and `aud` our tokens must carry. */
  issuer: string;
  issuers: readonly ExternalIssuer[];
  maxTokenBytes: number;
  clockSkewSeconds: number;
  /** Entries kept; 0 disables the cache. */
  cacheSize: number;
  /** True or false when known in memory; undefined when memory holds only the most recent revocations. */
  isRevoked: (recordId: string) => boolean | undefined;
  /** Asked on a fresh verification when `isRevoked` does not know: the database's answer. */
  confirmRevoked?: (recordId: string) => Promise<boolean>;
}

export interface TokenVerifier {
  verify(token: string, nowSeconds?: number): Promise<TokenResult>;
  /** The hot path: a cached verdict, re-checked for time and revocation, or undefined. */
  peek(token: string, nowSeconds?: number): TokenResult | undefined;
  /** Drops the cached tokens of a consent record, e.g. when memory lets go of its revocation. */
  forget(recordId: string): void;
}

interface CachedToken {
  readonly success: TokenResult & { ok: true };
  /** The later of `nbf` and `iat`: neither may lie in the future beyond the skew. */
  readonly notBefore: number;
}

// Three base64url parts, anything else is refused before jose sees it. The signature may be empty
// so that an `alg: none` token is reported as the algorithm attack it is.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const FAILURES = new Map<TokenFailure, TokenResult>();
function failure(reason: TokenFailure): TokenResult {
  let result = FAILURES.get(reason);
  if (!result) FAILURES.set(reason, (result = Object.freeze({ ok: false, reason })));
  return result;
}

/** Imports the configured keys once; throws only on a configuration mistake. */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const keys = await loadKeyRing(options.secret, options.issuer, options.issuers);
  const skew = options.clockSkewSeconds;
  const cache = options.cacheSize > 0 ? new LRUCache<string, CachedToken>({ max: options.cacheSize }) : undefined;

  function recheck(entry: CachedToken, now: number): TokenResult {
    if (entry.success.claims.exp <= now - skew) return failure('token-expired');
    if (entry.notBefore > now + skew) return failure('token-not-yet-valid');
    // A cached token was checked when verified; later revocations arrive in memory (coherence).
    if (options.isRevoked(entry.success.claims.rid) === true) return failure('token-revoked');
    return entry.success;
  }

  function peek(token: string, nowSeconds = Date.now() / 1000): TokenResult | undefined {
    const entry = cache?.get(token);
    return entry && recheck(entry, Math.floor(nowSeconds));
  }

  async function verify(token: string, nowSeconds = Date.now() / 1000): Promise<TokenResult> {
    if (typeof token !== 'string') return failure('token-malformed');
    // Cap first: nothing below, not even the cache lookup, may spend work on a huge header.
    if (token.length > options.maxTokenBytes || Buffer.byteLength(token) > options.maxTokenBytes) {
      return failure('token-oversized');
    }
    const now = Math.floor(nowSeconds);
    const cached = peek(token, now);
    if (cached) return cached;
    if (!COMPACT_JWS.test(token)) return failure('token-malformed');
    const header = protectedHeader(token);
    if (!header) return failure('token-malformed');
    const key = selectKey(keys, header);
    if (typeof key === 'string') return failure(key);

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: [key.algorithm],
        issuer: key.issuer,
        audience: key.audience,
        requiredClaims: ['exp', 'iat'],
        clockTolerance: skew,
        currentDate: new Date(now * 1000),
      }));
    } catch (error) {
      return failure(failureFromJose(error));
    }
    const claims = consentClaimsFrom(payload);
    if (!claims) return failure('token-malformed');
    const entry: CachedToken = {
      success: Object.freeze({ ok: true, claims, own: key === keys.own }),
      notBefore: notBeforeOf(payload, claims),
    };
    if (options.isRevoked(claims.rid) === undefined && options.confirmRevoked) {
      let revoked: boolean;
      try {
        revoked = await options.confirmRevoked(claims.rid);
      } catch {
        revoked = true; // No answer: no consent, rather than a withdrawn one honoured.
      }
      if (revoked) return failure('token-revoked');
    }
    const verdict = recheck(entry, now);
    if (verdict.ok) cache?.set(token, entry);
    return verdict;
  }

  function forget(recordId: string): void {
    if (!cache) return;
    for (const [token, entry] of cache.entries()) if (entry.success.claims.rid === recordId) cache.delete(token);
  }

  return { verify, peek, forget };
}

function protectedHeader(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/**
 * The `kid` alone picks the key; the token's `alg` must then equal the key's algorithm. So an
 * HS256 token naming an asymmetric key (HS/RS confusion), an EdDSA token for our HS256 secret
 * and `alg: none` are all refused before any signature check.
 */
function selectKey(keys: KeyRing, header: ProtectedHeaderParameters): VerificationKey | TokenFailure {
  const { kid, alg } = header;
  let key: VerificationKey | undefined;
  if (kid === undefined) key = keys.own;
  else if (typeof kid !== 'string') return 'token-malformed';
  else key = keys.byKid.get(kid);
  if (!key) return 'token-unknown-key';
  return alg === key.algorithm ? key : 'token-algorithm';
}

function failureFromJose(error: unknown): TokenFailure {
  if (error instanceof errors.JWTExpired) return 'token-expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token-signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token-algorithm';
  if (error instanceof errors.JWTClaimValidationFailed) {
    // Missing or wrong: either way the token is not meant for this key's issuer or for us.
    if (error.claim === 'iss' || error.claim === 'aud') return 'token-issuer';
    if (error.reason === 'check_failed' && (error.claim === 'nbf' || error.claim === 'iat')) {
      return 'token-not-yet-valid';
    }
  }
  // Missing or mistyped claims, undecodable parts, unsupported header parameters.
  return 'token-malformed';
}

/** jose checks `iat` only with `maxTokenAge`; we also refuse a token issued in the future. */
function notBeforeOf(payload: Record<string, unknown>, claims: ConsentClaims): number {
  return typeof payload.nbf === 'number' ? Math.max(payload.nbf, claims.iat) : claims.iat;
}
