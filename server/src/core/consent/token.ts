/**
 * Consent tokens: the claims they carry, why a token can be refused, and how the plugin issues
 * its own (HS256 with the configured secret). Verification lives in `token-verifier.ts`.
 */
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenFailure } from '../../../../shared/contracts/reasons';

export interface ConsentClaims {
  /** Random pseudonymous visitor id; never derived from anything the visitor is. */
  readonly sub: string;
  /** Purposes the visitor granted, as the issuer wrote them (unknown ones are dropped later). */
  readonly pur: readonly string[];
  /** Attributes the visitor chose to share; empty when the token has no `attr` claim. */
  readonly attr: Readonly<Record<string, unknown>>;
  readonly iat: number;
  readonly exp: number;
  /** Policy version the visitor consented to. */
  readonly pv: string;
  /** Consent record id: the handle revocation works on. */
  readonly rid: string;
  readonly iss: string;
  /**
   * Preview time (epoch ms) of a token the plugin signed for an editor's preview
   * (services/preview.ts); normalization reads it only from tokens verified with our own secret.
   */
  readonly pat?: number;
}

/** Why a token gives no consent; each code is described in the shared contract. */
export type { TokenFailure };

export type TokenResult =
  | {
      readonly ok: true;
      readonly claims: ConsentClaims;
      /** Verified with the plugin's own HS256 secret, not with an external issuer's key. */
      readonly own?: boolean;
    }
  | { readonly ok: false; readonly reason: TokenFailure };

/** Both sides must turn the configured secret into the same key bytes. */
export function secretKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export interface TokenIssuerOptions {
  secret: string;
  ttlSeconds: number;
  /** Written as both `iss` and `aud`: our tokens are meant for ourselves only. */
  issuer: string;
  policyVersion: string;
}

export interface ConsentGrant {
  purposes: readonly string[];
  attributes?: Readonly<Record<string, unknown>>;
  policyVersion?: string;
  /** Written as `pat` for an editor's preview only; POST /consent never sets it. */
  previewAt?: number;
}

export interface IssuedToken {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601. */
  issuedAt: string;
  subject: string;
  recordId: string;
  purposes: string[];
}

export interface TokenIssuer {
  issue(grant: ConsentGrant, now?: Date): Promise<IssuedToken>;
}

/** The grant is validated against the catalogue by the consent endpoint, before it gets here. */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  const key = secretKey(options.secret);
  return {
    async issue(grant, now = new Date()) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = issuedAt + options.ttlSeconds;
      const subject = randomUUID();
      const recordId = randomUUID();
      const purposes = [...grant.purposes];
      const token = await new SignJWT({
        pur: purposes,
        attr: { ...grant.attributes },
        pv: grant.policyVersion ?? options.policyVersion,
        rid: recordId,
        ...(grant.previewAt !== undefined ? { pat: grant.previewAt } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(options.issuer)
        .setAudience(options.issuer)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key);
      return {
        token,
        expiresAt: new Date(expiresAt * 1000).toISOString(),
        issuedAt: new Date(issuedAt * 1000).toISOString(),
        subject,
        recordId,
        purposes,
      };
    },
  };
}
