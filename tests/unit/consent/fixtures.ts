/** Shared test material: keys, a catalogue, token builders and the TCF conformance vectors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import type { Catalogue } from '../../../server/src/core/catalogue';
import {
  createTokenVerifier,
  DEFAULT_TCF_PURPOSE_MAP,
  type ConsentClaims,
  type NormalizeOptions,
  type TokenResult,
  type TokenVerifierOptions,
} from '../../../server/src/core/consent';

export const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
export const OWN_ISSUER = 'strapi-plugin-personalization';
export const PARTNER = 'https://consent.partner.example';
export const NOW = 1_800_000_000;
export const SKEW = 30;

export const PURPOSES: ReadonlySet<string> = new Set([
  'necessary',
  'functional',
  'personalization',
  'measurement',
  'marketing',
]);

export const CATALOGUE: Catalogue = {
  interests: { type: 'string[]', source: 'token', purpose: 'personalization' },
  ageBand: { type: 'string', source: 'token', purpose: 'personalization' },
  loyal: { type: 'boolean', source: 'token', purpose: 'marketing' },
  visits: { type: 'number', source: 'token', purpose: 'measurement' },
  theme: { type: 'string', source: 'token', purpose: 'functional' },
  device: { type: 'string', source: 'context', purpose: 'personalization' },
  utmCampaign: { type: 'string', source: 'context', purpose: 'marketing' },
  referrer: { type: 'string', source: 'context', purpose: 'measurement' },
};

export const NORMALIZE_OPTIONS: NormalizeOptions = {
  catalogue: CATALOGUE,
  purposes: PURPOSES,
  tcfMap: DEFAULT_TCF_PURPOSE_MAP,
  tcfEnabled: true,
  gpcDenies: ['marketing'],
  contextHeaderMaxBytes: 2048,
};

export interface KeyPairWithJwk {
  privateKey: KeyLike;
  publicJwk: JWK & { kid: string };
}

export async function keyPair(algorithm: 'EdDSA' | 'ES256', kid: string): Promise<KeyPairWithJwk> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, {
    crv: algorithm === 'EdDSA' ? 'Ed25519' : undefined,
  });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

export function verifierOptions(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifierOptions {
  return {
    secret: SECRET,
    issuer: OWN_ISSUER,
    issuers: [],
    maxTokenBytes: 4096,
    clockSkewSeconds: SKEW,
    cacheSize: 100,
    isRevoked: () => false,
    ...overrides,
  };
}

export const newVerifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier(verifierOptions(overrides));

let counter = 0;

/** Well-formed claims of a token valid at NOW; override any of them. */
export function claims(overrides: JWTPayload = {}): JWTPayload {
  counter += 1;
  return {
    sub: `visitor-${counter}`,
    rid: `record-${counter}`,
    pur: ['personalization'],
    attr: {},
    pv: '1',
    iss: OWN_ISSUER,
    aud: OWN_ISSUER,
    iat: NOW - 60,
    exp: NOW + 3600,
    ...overrides,
  };
}

export function sign(
  payload: JWTPayload,
  key: KeyLike | Uint8Array = Buffer.from(SECRET, 'utf8'),
  header: { alg: string; kid?: string } = { alg: 'HS256' }
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/** A verified token's result, built directly: normalization tests need no signatures. */
export function validToken(overrides: Partial<ConsentClaims> = {}): Extract<TokenResult, { ok: true }> {
  return {
    ok: true,
    claims: {
      sub: 'visitor',
      rid: 'record',
      pur: ['personalization'],
      attr: {},
      pv: '1',
      iss: OWN_ISSUER,
      iat: NOW - 60,
      exp: NOW + 3600,
      ...overrides,
    },
  };
}

export const base64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

export interface TcfVector {
  id: string;
  tcString: string;
  purposeConsents: number[];
}

const conformance = join(__dirname, '../../fixtures/conformance/tcf');
export const TCF_VECTORS: TcfVector[] = JSON.parse(readFileSync(join(conformance, 'tcf-v2-vectors.json'), 'utf8'));
export const TCF_INVALID_VECTORS: { id: string; tcString: string }[] = JSON.parse(
  readFileSync(join(conformance, 'tcf-v2-invalid-vectors.json'), 'utf8')
);

export const tcfVector = (id: string): string => {
  const vector = TCF_VECTORS.find((candidate) => candidate.id === id);
  if (!vector) throw new Error(`no TCF vector ${id}`);
  return vector.tcString;
};

/** TCF purposes 1–10 consented (personalization, measurement and marketing all allowed). */
export const TCF_ALL = tcfVector('es-core-ReportedIssues-201');
/** TCF purposes 2 and 10 only: none of our mapped purposes allowed. */
export const TCF_2_10 = tcfVector('java-TCStringV2Test-testCanConstructTCModelFromBase64String');
/** TCF purposes 3–9: personalization and measurement allowed, marketing not (2 missing). */
export const TCF_3_TO_9 = tcfVector('java-TCStringV2Test-testConstructConsentsFromBitFields');
