import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import {
  createTokenIssuer,
  createTokenVerifier,
  normalizeConsent,
  NO_CONSENT,
  type Consent,
  type ConsentClaims,
  type NormalizeOptions,
  type TokenFailure,
  type TokenIssuer,
  type TokenResult,
  type TokenVerifier,
} from '../core/consent';
import { grantProblems, grantShape } from '../core/consent/grant';
import { tokenPurposes } from '../core/consent/editor-consent';
import { InputError, parseInput } from '../errors';
import { settings } from '../settings';
import type { ConsentRecordsService } from './consent-records';
import type { RevocationsService } from './revocations';
import type { ConsentGrantAnswer, ConsentView } from '../../../shared/contracts';

/** Request headers the plugin reads; responses of enabled types vary on all of them. */
export const CONSENT_HEADERS = ['X-Consent-Token', 'X-TCF-Consent', 'Sec-GPC', 'X-Personalization-Context'];

export interface RequestLike {
  get(field: string): string;
  state: Record<string, unknown>;
}

const STATE_KEY = 'personalizationConsent';

/** The consent endpoints answer a missing or refused token with 401 and this reason code. */
export class TokenRefused extends Error {
  constructor(readonly reason: TokenFailure | 'no-token') {
    super(reason === 'no-token' ? 'send the consent token in the X-Consent-Token header' : `the consent token is refused: ${reason}`);
  }
}

/** What POST /consent answers and GET /consent shows: the public contract's shapes. */
export type GrantAnswer = ConsentGrantAnswer;
export type TokenView = ConsentView;

function isoOfSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * The one place that turns a request into a consent: verify the token (cached), read TCF, GPC
 * and context, normalize. Never throws on visitor input: a bad token is no consent.
 */
const consent = ({ strapi }: { strapi: Core.Strapi }) => {
  let verifier: TokenVerifier | undefined;
  let issuer: TokenIssuer | undefined;
  let options: NormalizeOptions | undefined;

  function secret(): string {
    const { config } = settings(strapi);
    if (config.tokenSecret) return config.tokenSecret;
    // Outside production only (bootstrap refuses a missing secret there): tokens last one process.
    strapi.log.warn('[personalization] no tokenSecret configured; using a random one for this process');
    return randomBytes(32).toString('base64url');
  }

  const records = () => strapi.plugin('personalization').service('consent-records') as ConsentRecordsService;
  const revocations = () => strapi.plugin('personalization').service('revocations') as RevocationsService;

  /** The token's claims, or TokenRefused with the reason code. */
  async function claimsOf(header: string | undefined): Promise<ConsentClaims> {
    if (!header) throw new TokenRefused('no-token');
    const result = await verifier!.verify(header);
    if (!result.ok) throw new TokenRefused(result.reason);
    return result.claims;
  }

  return {
    async initialize(): Promise<void> {
      const { config, catalogue } = settings(strapi);
      const key = secret();
      const revoked = revocations();
      verifier = await createTokenVerifier({
        secret: key,
        issuer: config.tokenIssuer,
        issuers: config.issuers,
        maxTokenBytes: config.maxTokenBytes,
        clockSkewSeconds: config.clockSkewSeconds,
        cacheSize: config.tokenCacheSize,
        isRevoked: (recordId) => revoked.has(recordId),
        confirmRevoked: (recordId) => revoked.isRecorded(recordId),
      });
      revoked.onLetGo((recordId) => verifier?.forget(recordId));
      issuer = createTokenIssuer({
        secret: key,
        ttlSeconds: config.tokenTtlSeconds,
        issuer: config.tokenIssuer,
        policyVersion: config.policyVersion,
      });
      options = {
        catalogue,
        purposes: new Set(config.purposes.map((purpose) => purpose.key)),
        tcfMap: config.tcf.purposes,
        tcfEnabled: config.tcf.enabled,
        gpcDenies: config.gpc.denies,
        contextHeaderMaxBytes: config.contextHeaderMaxBytes,
      };
      await revoked.load();
    },

    /**
     * POST /consent: validates the grant against the configured purposes and catalogue, issues a
     * token and records the grant (ids, purposes, policy version and times only).
     */
    async grant(body: unknown): Promise<GrantAnswer> {
      const { config, catalogue } = settings(strapi);
      const input = parseInput(grantShape, body);
      // The raw body object: zod's record drops a `__proto__` key, which must be named too.
      const attributes = ((body as { attributes?: Record<string, unknown> }).attributes ?? {}) as Record<string, unknown>;
      const configured = config.purposes.map((purpose) => purpose.key);
      const problems = grantProblems(input, attributes, { purposes: configured, policyVersion: config.policyVersion, catalogue });
      if (problems.length > 0) throw new InputError(problems[0].field, problems[0].message, 400, { problems });
      const purposes = tokenPurposes(input.purposes, configured);
      // A token past the cap would count as no consent on every request. The first check spares
      // signing a body that can only fail the second.
      const tooLarge = new InputError('attributes', `too large: the token would exceed maxTokenBytes (${config.maxTokenBytes} bytes)`);
      if (Buffer.byteLength(JSON.stringify(attributes)) > config.maxTokenBytes) throw tooLarge;
      const issued = await issuer!.issue({ purposes, attributes, policyVersion: config.policyVersion });
      if (Buffer.byteLength(issued.token) > config.maxTokenBytes) throw tooLarge;
      await records().add({
        recordId: issued.recordId,
        subject: issued.subject,
        event: 'granted',
        purposes,
        policyVersion: config.policyVersion,
        occurredAt: issued.issuedAt,
        expiresAt: issued.expiresAt,
      });
      return { token: issued.token, expiresAt: issued.expiresAt, subject: issued.subject, purposes };
    },

    /** GET /consent: what the token grants and holds, normalized as delivery sees it (without TCF, GPC or context). */
    async inspect(header: string | undefined): Promise<TokenView> {
      const claims = await claimsOf(header);
      const consent = normalizeConsent({ token: { ok: true, claims } }, options!);
      const order = settings(strapi).config.purposes.map((purpose) => purpose.key);
      return {
        subject: claims.sub,
        recordId: claims.rid,
        purposes: order.filter((key) => consent.purposes.has(key)),
        attributes: { ...consent.attributes },
        ignoredAttributes: Object.keys(claims.attr).filter((name) => !(name in consent.attributes)).sort(),
        issuedAt: isoOfSeconds(claims.iat),
        expiresAt: isoOfSeconds(claims.exp),
        policyVersion: claims.pv,
        issuer: claims.iss,
      };
    },

    /**
     * DELETE /consent: revokes the token's consent record at once, here and, through the
     * coherence announcement, on every other instance. Idempotent.
     */
    async withdraw(header: string | undefined): Promise<void> {
      let claims: ConsentClaims;
      try {
        claims = await claimsOf(header);
      } catch (error) {
        // Only a correctly signed token is reported revoked: withdrawing twice is no error.
        if (error instanceof TokenRefused && error.reason === 'token-revoked') return;
        throw error;
      }
      const expiresAt = new Date(claims.exp * 1000);
      await revocations().revoke(claims.rid, expiresAt, () =>
        records().add({
          recordId: claims.rid,
          subject: claims.sub,
          event: 'withdrawn',
          purposes: [...claims.pur],
          policyVersion: claims.pv,
          occurredAt: new Date().toISOString(),
          expiresAt: expiresAt.toISOString(),
        })
      );
    },

    async verifyToken(token: string): Promise<TokenResult> {
      return verifier!.peek(token) ?? verifier!.verify(token);
    },

    issuer(): TokenIssuer {
      return issuer!;
    },

    /** The consent of this request, computed once and kept on the request's state. */
    async ofRequest(request: RequestLike): Promise<Consent> {
      const cached = request.state[STATE_KEY] as Consent | undefined;
      if (cached) return cached;
      const header = request.get('x-consent-token');
      if (!header) {
        // No token, no consent: the other signals only narrow a token's grant (core/consent/normalize.ts).
        request.state[STATE_KEY] = NO_CONSENT;
        return NO_CONSENT;
      }
      const token = await this.verifyToken(header);
      const result = normalizeConsent(
        {
          token,
          tcf: request.get('x-tcf-consent') || undefined,
          gpc: request.get('sec-gpc').trim() === '1',
          context: request.get('x-personalization-context') || undefined,
        },
        options!
      );
      request.state[STATE_KEY] = result;
      return result;
    },
  };
};

export type ConsentService = ReturnType<typeof consent>;
export default consent;
