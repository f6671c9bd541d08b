/**
 * The keys a token may be verified with, imported once at start-up. Each key is bound to exactly
 * one algorithm, issuer and audience, so a token can never choose how it is checked: the `kid`
 * picks the key, and the key decides everything else.
 */
import { importJWK, type JWK, type KeyLike } from 'jose';
import type { KeyObject } from 'node:crypto';
import { secretKey } from './token';

export type TokenAlgorithm = 'HS256' | 'EdDSA' | 'ES256';
type ExternalAlgorithm = Exclude<TokenAlgorithm, 'HS256'>;

export interface ExternalIssuer {
  issuer: string;
  /** Checked only when configured; an issuer that writes no `aud` can still be trusted by `kid`. */
  audience?: string;
  algorithms: readonly ExternalAlgorithm[];
  /** Public JWKs, each with a `kid`; several at once allow rotation. */
  keys: readonly (JWK & { kid: string })[];
}

export interface VerificationKey {
  key: KeyLike | KeyObject | Uint8Array;
  algorithm: TokenAlgorithm;
  issuer: string;
  audience: string | undefined;
}

export interface KeyRing {
  /** Our own HS256 key: used for tokens without a `kid`. */
  own: VerificationKey | undefined;
  byKid: ReadonlyMap<string, VerificationKey>;
}

/** Throws on a configuration mistake (start-up time), never on visitor input. */
export async function loadKeyRing(
  secret: string | undefined,
  ownIssuer: string,
  issuers: readonly ExternalIssuer[]
): Promise<KeyRing> {
  const own: VerificationKey | undefined = secret
    ? { key: secretKey(secret), algorithm: 'HS256', issuer: ownIssuer, audience: ownIssuer }
    : undefined;
  const byKid = new Map<string, VerificationKey>();
  for (const issuer of issuers) {
    for (const jwk of issuer.keys) {
      const where = `issuer "${issuer.issuer}" key "${jwk.kid}"`;
      if (byKid.has(jwk.kid)) throw new Error(`${where}: kid is used twice`);
      // A private or symmetric key here would let whoever holds the config mint tokens, and an
      // `oct` key would reopen HS/asymmetric confusion.
      if ('d' in jwk || jwk.kty === 'oct') throw new Error(`${where}: must be a public key`);
      const algorithm = algorithmOf(jwk);
      if (!algorithm || !issuer.algorithms.includes(algorithm)) {
        throw new Error(`${where}: algorithm must be one of ${issuer.algorithms.join(', ')}`);
      }
      byKid.set(jwk.kid, {
        key: await importJWK(jwk, algorithm),
        algorithm,
        issuer: issuer.issuer,
        audience: issuer.audience,
      });
    }
  }
  return { own, byKid };
}

function algorithmOf(jwk: JWK): ExternalAlgorithm | undefined {
  if (jwk.alg !== undefined) return jwk.alg === 'EdDSA' || jwk.alg === 'ES256' ? jwk.alg : undefined;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}
