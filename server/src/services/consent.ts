import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { hasAttributeType, type Catalogue } from '../core/catalogue';
import {
  createTokenIssuer,
  createTokenVerifier,
  NECESSARY_PURPOSE,
  normalizeConsent,
  type Consent,
  type ConsentClaims,
  type NormalizeOptions,
  type TokenFailure,
  type TokenIssuer,
  type TokenResult,
  type TokenVerifier,
} from '../core/consent';
import type { PluginConfig } from '../config/schema';
import { InputError } from '../errors';
import { settings } from '../settings';
import type { CoherenceService } from './coherence';
import type { ConsentRecordsService } from './consent-records';

/** Request headers the plugin reads; responses of enabled types vary on all of them. */
export const CONSENT_HEADERS = ['X-Consent-Token', 'X-TCF-Consent', 'Sec-GPC', 'X-Personalization-Context'];

export interface RequestLike {
  get(field: string): string;
  state: Record<string, unknown>;
}

const STATE_KEY = 'personalizationConsent';
const REVOCATION = 'plugin::personalization.revocation';

/** The consent endpoints answer a missing or refused token with 401 and this reason code. */
export class TokenRefused extends Error {
  constructor(readonly reason: TokenFailure | 'no-token') {
    super(reason === 'no-token' ? 'send the consent token in the X-Consent-Token header' : `the consent token is refused: ${reason}`);
  }
}

/** What POST /consent answers. */
export interface GrantAnswer {
  token: string;
  expiresAt: string;
  subject: string;
  purposes: string[];
}

/** What GET /consent answers: exactly what the token grants and holds. */
export interface TokenView {
  subject: string;
  recordId: string;
  /** Granted after normalization, in configured order. */
  purposes: string[];
  /** The token's attributes rules may read. */
  attributes: Record<string, unknown>;
  /** Names (never values) of attributes the token carries that no rule will ever see. */
  ignoredAttributes: string[];
  issuedAt: string;
  expiresAt: string;
  policyVersion: string;
  issuer: string;
}

const grantShape = z
  .object({
    purposes: z.array(z.string().max(64)).max(64),
    attributes: z.record(z.string(), z.unknown()).optional(),
    policyVersion: z.string().max(64).optional(),
  })
  .strict();

/**
 * Purposes the grant yields, in configured order: the requested ones plus `necessary`, which every
 * valid token is granted anyway (normalization adds it), so the token, the record and the answer agree.
 */
function grantedPurposes(requested: readonly string[], config: PluginConfig): string[] {
  const wanted = new Set(requested);
  return config.purposes
    .map((purpose) => purpose.key)
    .filter((key) => wanted.has(key) || key === NECESSARY_PURPOSE);
}

interface Problem {
  field: string;
  message: string;
}

/**
 * Every problem of a grant, each naming its purpose, attribute or key; never a value.
 * `attributes` is the raw body object: zod's record drops a `__proto__` key, which must be named too.
 */
function grantProblems(
  input: z.output<typeof grantShape>,
  attributes: Record<string, unknown>,
  config: PluginConfig,
  catalogue: Catalogue
): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(config.purposes.map((purpose) => purpose.key));
  input.purposes.forEach((purpose, position) => {
    if (!known.has(purpose)) problems.push({ field: `purposes[${position}]`, message: `unknown purpose "${purpose}"` });
  });
  const granted = new Set(grantedPurposes(input.purposes, config));
  for (const name of Object.keys(attributes)) {
    const field = `attributes.${name}`;
    const definition = Object.prototype.hasOwnProperty.call(catalogue, name) ? catalogue[name] : undefined;
    if (!definition) {
      problems.push({ field, message: `unknown attribute "${name}"` });
    } else if (definition.source === 'builtin') {
      problems.push({ field, message: `"${name}" is a built-in attribute, computed per request` });
    } else if (definition.source !== 'token') {
      problems.push({ field, message: `attribute "${name}" comes from the X-Personalization-Context header, not the token` });
    } else if (!hasAttributeType(definition.type, attributes[name])) {
      problems.push({ field, message: `attribute "${name}" must be of type ${definition.type}` });
    } else if (!definition.purpose || !granted.has(definition.purpose)) {
      problems.push({ field, message: `attribute "${name}" needs the purpose "${definition.purpose}", which is not granted` });
    }
  }
  if (input.policyVersion !== undefined && input.policyVersion !== config.policyVersion) {
    problems.push({
      field: 'policyVersion',
      message: `the current policy version is "${config.policyVersion}"; show the visitor that policy first`,
    });
  }
  return problems;
}

function parseGrant(body: unknown, config: PluginConfig, catalogue: Catalogue): z.output<typeof grantShape> {
  const parsed = grantShape.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new InputError(issue.keys[0], `unknown field "${issue.keys.join('", "')}"`, 400, { fields: issue.keys });
    }
    // zod messages name the expected type, never the received value.
    throw new InputError(issue.path.length ? issue.path.join('.') : '(body)', issue.message);
  }
  const attributes = ((body as { attributes?: Record<string, unknown> }).attributes ?? {}) as Record<string, unknown>;
  const problems = grantProblems(parsed.data, attributes, config, catalogue);
  if (problems.length > 0) throw new InputError(problems[0].field, problems[0].message, 400, { problems });
  return { ...parsed.data, attributes };
}

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
  /** Revoked consent record ids → expiry (epoch ms). */
  const revoked = new Map<string, number>();

  function secret(): string {
    const { config } = settings(strapi);
    if (config.tokenSecret) return config.tokenSecret;
    // Outside production only (bootstrap refuses a missing secret there): tokens last one process.
    strapi.log.warn('[personalization] no tokenSecret configured; using a random one for this process');
    return randomBytes(32).toString('base64url');
  }

  const records = () => strapi.plugin('personalization').service('consent-records') as ConsentRecordsService;

  /** The token's claims, or TokenRefused with the reason code. */
  async function claimsOf(header: string | undefined): Promise<ConsentClaims> {
    if (!header) throw new TokenRefused('no-token');
    const result = await verifier!.verify(header);
    if (!result.ok) throw new TokenRefused(result.reason);
    return result.claims;
  }

  async function isRecordedRevocation(recordId: string): Promise<boolean> {
    return (await strapi.db.query(REVOCATION).count({ where: { recordId } })) > 0;
  }

  return {
    async initialize(): Promise<void> {
      const { config, catalogue } = settings(strapi);
      const key = secret();
      verifier = await createTokenVerifier({
        secret: key,
        issuer: config.tokenIssuer,
        issuers: config.issuers as any,
        maxTokenBytes: config.maxTokenBytes,
        clockSkewSeconds: config.clockSkewSeconds,
        cacheSize: config.tokenCacheSize,
        isRevoked: (recordId) => revoked.has(recordId),
      });
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
      await this.loadRevocations();
    },

    /**
     * Loads revocations of tokens that can still verify: all of them, or those recorded since
     * `since` (another instance's withdrawals, see services/coherence.ts). Merges: a revocation is
     * never undone, and one marked while the query ran must not be lost.
     */
    async loadRevocations(since?: Date): Promise<void> {
      // The verifier accepts a token up to the clock skew past its expiry.
      const cutoff = Date.now() - settings(strapi).config.clockSkewSeconds * 1000;
      const rows = await strapi.db.query(REVOCATION).findMany({
        select: ['recordId', 'expiresAt'],
        where: { expiresAt: { $gt: new Date(cutoff) }, ...(since ? { createdAt: { $gte: since } } : {}) },
      });
      // SQLite, PostgreSQL and MySQL hand datetimes back in different shapes; Date takes each of them.
      for (const row of rows as Array<{ recordId: string; expiresAt: string | number | Date }>) {
        revoked.set(row.recordId, new Date(row.expiresAt).getTime());
      }
      for (const [recordId, expiresAt] of revoked) if (expiresAt < cutoff) revoked.delete(recordId);
    },

    markRevoked(recordId: string, expiresAt: number): void {
      revoked.set(recordId, expiresAt);
    },

    /** Deletes revocations of tokens that can no longer verify anyway; returns how many rows. */
    async purgeRevocations(now: Date = new Date()): Promise<number> {
      // The verifier accepts a token up to the clock skew past its expiry.
      const cutoff = now.getTime() - settings(strapi).config.clockSkewSeconds * 1000;
      const { count } = await strapi.db.query(REVOCATION).deleteMany({ where: { expiresAt: { $lt: new Date(cutoff) } } });
      for (const [recordId, expiresAt] of revoked) if (expiresAt < cutoff) revoked.delete(recordId);
      return count;
    },

    /**
     * POST /consent: validates the grant against the configured purposes and catalogue, issues a
     * token and records the grant (ids, purposes, policy version and times only).
     */
    async grant(body: unknown): Promise<GrantAnswer> {
      const { config, catalogue } = settings(strapi);
      const input = parseGrant(body, config, catalogue);
      const purposes = grantedPurposes(input.purposes, config);
      // A token past the cap would count as no consent on every request. The first check spares
      // signing a body that can only fail the second.
      const tooLarge = new InputError('attributes', `too large: the token would exceed maxTokenBytes (${config.maxTokenBytes} bytes)`);
      if (Buffer.byteLength(JSON.stringify(input.attributes ?? {})) > config.maxTokenBytes) throw tooLarge;
      const issued = await issuer!.issue({ purposes, attributes: input.attributes ?? {}, policyVersion: config.policyVersion });
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
      try {
        await strapi.db.transaction(async () => {
          if (await isRecordedRevocation(claims.rid)) return;
          await strapi.db.query(REVOCATION).create({ data: { recordId: claims.rid, expiresAt } });
          await records().add({
            recordId: claims.rid,
            subject: claims.sub,
            event: 'withdrawn',
            purposes: [...claims.pur],
            policyVersion: claims.pv,
            occurredAt: new Date().toISOString(),
            expiresAt: expiresAt.toISOString(),
          });
        });
      } catch (error) {
        // A concurrent withdrawal of the same token won the unique recordId.
        if (!(await isRecordedRevocation(claims.rid))) throw error;
      }
      this.markRevoked(claims.rid, expiresAt.getTime());
      const coherence = strapi.plugin('personalization').service('coherence') as CoherenceService;
      await coherence.announce({ kind: 'revocation', recordId: claims.rid, expiresAt: expiresAt.getTime() });
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
      const token = header ? await this.verifyToken(header) : undefined;
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
