/**
 * The decision's invariants over random variants and random consent signals, end to end through
 * the pure modules: real tokens (issued and verified), normalization, rule context, chooseVariant.
 *
 * 1. A served variant's required purposes are all granted by a valid consent.
 * 3. A bad token decides exactly as no token at all (only the reason names the token's fault).
 * 7. The same inputs give the same answer.
 * And: a base asked again, after other requests at other times and locales, decides as one never
 * asked before (decisions for requests that grant no purpose are remembered on the base).
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { fullCatalogue, PERSONALIZATION_PURPOSE } from '../../../server/src/core/catalogue';
import {
  createTokenIssuer,
  createTokenVerifier,
  DEFAULT_TCF_PURPOSE_MAP,
  normalizeConsent,
  type Consent,
  type NormalizeOptions,
  type TokenResult,
  type TokenVerifier,
} from '../../../server/src/core/consent';
import {
  chooseVariant,
  labelOf,
  traceDecision,
  type BaseVariants,
  type DecisionRequest,
  type LiveVariant,
  type VariantKind,
} from '../../../server/src/core/decision';
import { buildRuleContext, compileAudience } from '../../../server/src/core/rules';
import { TCF_INVALID_VECTORS, TCF_VECTORS } from '../consent/fixtures';
import {
  CONTEXT_ATTRIBUTES,
  TEST_CATALOGUE,
  TEST_PURPOSES,
  TOKEN_ATTRIBUTES,
  rawAttributesArbitrary,
  ruleArbitrary,
} from '../rules/rule-arbitraries';

const SECRET = 'decision-property-secret-0123456789abcdef';
const ISSUER = 'strapi-plugin-personalization';
const NOW = Date.parse('2026-06-15T10:30:00Z');
const HOUR = 3600_000;
const TIME_ZONE = 'Europe/Berlin';
const ALL_PURPOSES = ['necessary', ...TEST_PURPOSES];

const OPTIONS: NormalizeOptions = {
  catalogue: fullCatalogue(TEST_CATALOGUE),
  purposes: new Set(ALL_PURPOSES),
  tcfMap: DEFAULT_TCF_PURPOSE_MAP,
  tcfEnabled: true,
  gpcDenies: ['marketing'],
  contextHeaderMaxBytes: 2048,
};

const revoked = new Set<string>();
const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 24 * 3600, issuer: ISSUER, policyVersion: '1' });
const strangerIssuer = createTokenIssuer({ secret: 'some-other-secret-entirely-0123456789', ttlSeconds: 3600, issuer: ISSUER, policyVersion: '1' });
let verifier: TokenVerifier;

beforeAll(async () => {
  verifier = await createTokenVerifier({
    secret: SECRET,
    issuer: ISSUER,
    issuers: [],
    maxTokenBytes: 4096,
    clockSkewSeconds: 30,
    cacheSize: 1000,
    isRevoked: (recordId) => revoked.has(recordId),
  });
});

// ---- variants ----------------------------------------------------------------------------------

/** Mass audiences read only built-ins, as the admin API enforces. */
const massAudience = fc.constantFrom<unknown>(
  null,
  { '<': [{ var: 'hour' }, 12] },
  { '>=': [{ var: 'hour' }, 12] },
  { in: [{ var: 'weekday' }, [0, 6]] },
  { '==': [{ var: 'locale' }, 'de'] },
  { after: [{ var: 'now' }, '2026-01-01T00:00:00Z'] }
);

// Weighted towards the servable: open schedules, few requirements, published everywhere.
const scheduleEdge = fc.option(fc.integer({ min: -48, max: 48 }).map((hours) => NOW + hours * HOUR), { nil: null, freq: 2 });
const sometimes = <T>(usual: T, rare: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: rare });

const variantSpec = (kind: VariantKind) =>
  fc.record({
    kind: fc.constant(kind),
    audience: kind === 'targeted' ? fc.option(ruleArbitrary, { nil: null, freq: 2 }) : massAudience,
    requiredPurposes: sometimes([] as string[], fc.subarray([...ALL_PURPOSES, 'astrology'], { maxLength: 3 })),
    // Mostly enabled: a disabled variant is the least interesting case.
    enabled: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
    startsAt: scheduleEdge,
    endsAt: scheduleEdge,
    locales: fc.option(fc.subarray(['en', 'de']), { nil: null, freq: 2 }),
    publishedLocales: sometimes(['en', 'de', ''], fc.subarray(['en', 'de', ''])),
  });

type VariantSpec = ReturnType<typeof variantSpec> extends fc.Arbitrary<infer T> ? T : never;

/** Built the way the variant index builds them: targeted variants also require `personalization`. */
function liveVariant(spec: VariantSpec, position: number): LiveVariant {
  const audience = compileAudience(spec.audience);
  const required = new Set<string>(spec.requiredPurposes);
  if (spec.kind === 'targeted') required.add(PERSONALIZATION_PURPOSE);
  return {
    key: `${spec.kind}-${position}`,
    documentId: `doc-${spec.kind}-${position}`,
    kind: spec.kind,
    priority: position,
    enabled: spec.enabled,
    startsAt: spec.startsAt,
    endsAt: spec.endsAt,
    locales: spec.locales && spec.locales.length > 0 ? new Set(spec.locales) : null,
    publishedLocales: new Set(spec.publishedLocales),
    requiredPurposes: [...required],
    matches: audience.evaluate,
    reads: audience.reads,
  };
}

const variantsArbitrary: fc.Arbitrary<BaseVariants | undefined> = fc.option(
  fc
    .record({
      targeted: fc.array(variantSpec('targeted'), { maxLength: 4 }),
      mass: fc.array(variantSpec('mass'), { maxLength: 3 }),
    })
    .map(({ targeted, mass }) => ({
      targeted: targeted.map(liveVariant),
      mass: mass.map((spec, i) => liveVariant(spec, targeted.length + i)),
    })),
  { nil: undefined, freq: 8 }
);

// ---- consent signals ---------------------------------------------------------------------------

type TokenSpec =
  | { kind: 'valid' | 'revoked' | 'expired' | 'stranger' | 'tampered' | 'unsigned'; pur: string[]; attr: Record<string, unknown> }
  | { kind: 'garbage'; text: string };

const grantArbitrary = fc.record({
  pur: sometimes(ALL_PURPOSES, fc.subarray([...ALL_PURPOSES, 'astrology'])),
  // A token may carry context attributes too: they must never become visible from the token.
  attr: fc
    .tuple(rawAttributesArbitrary(TOKEN_ATTRIBUTES), fc.option(rawAttributesArbitrary(CONTEXT_ATTRIBUTES), { nil: {}, freq: 3 }))
    .map(([own, stray]) => ({ ...own, ...stray })),
});

const tokenSpecArbitrary: fc.Arbitrary<TokenSpec | undefined> = fc.oneof(
  { weight: 6, arbitrary: grantArbitrary.map((grant) => ({ kind: 'valid' as const, ...grant })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom('revoked', 'expired', 'stranger', 'tampered', 'unsigned'), grantArbitrary)
      .map(([kind, grant]) => ({ kind, ...grant }) as TokenSpec),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.string(), fc.constantFrom('a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.', 'x'.repeat(5000)))
      .map((text) => ({ kind: 'garbage' as const, text })),
  },
  { weight: 1, arbitrary: fc.constant(undefined) }
);

const tcfArbitrary = fc.option(
  fc.oneof(
    fc.constantFrom(...TCF_VECTORS.map((vector) => vector.tcString)),
    fc.constantFrom(...TCF_INVALID_VECTORS.map((vector) => vector.tcString))
  ),
  { nil: undefined, freq: 2 }
);

const contextArbitrary = fc.option(
  fc.oneof(
    rawAttributesArbitrary([...CONTEXT_ATTRIBUTES, 'country']).map((raw) => Buffer.from(JSON.stringify(raw)).toString('base64url')),
    fc.constantFrom('not base64 json', '')
  ),
  { nil: undefined }
);

const requestArbitrary = fc.record({
  token: tokenSpecArbitrary,
  tcf: tcfArbitrary,
  gpc: fc.boolean(),
  context: contextArbitrary,
  locale: fc.constantFrom('en', 'de', ''),
  offsetMinutes: fc.integer({ min: -36 * 60, max: 36 * 60 }),
});

type RequestSpec = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Turns a token spec into the header value a visitor would send. */
async function tokenHeader(spec: TokenSpec | undefined): Promise<string | undefined> {
  if (!spec) return undefined;
  if (spec.kind === 'garbage') return spec.text;
  const grant = { purposes: spec.pur, attributes: spec.attr };
  switch (spec.kind) {
    case 'valid':
      return (await issuer.issue(grant)).token;
    case 'revoked': {
      const issued = await issuer.issue(grant);
      revoked.add(issued.recordId);
      return issued.token;
    }
    case 'expired':
      return (await issuer.issue(grant, new Date(Date.now() - 3 * 24 * HOUR))).token;
    case 'stranger':
      return (await strangerIssuer.issue(grant)).token;
    case 'tampered': {
      // Grant everything for longer by editing a real token's payload; the signature no longer fits.
      const [header, payload, signature] = (await issuer.issue(grant)).token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      claims.pur = ALL_PURPOSES;
      claims.exp += 3600;
      return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    }
    case 'unsigned': {
      const unsigned = await new SignJWT({ pur: ALL_PURPOSES, attr: spec.attr, pv: '1', rid: 'r-unsigned' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('s-unsigned')
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(Buffer.from(SECRET, 'utf8'));
      // alg: none with the signature stripped.
      const [, payload] = unsigned.split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    }
  }
}

interface Prepared {
  token: TokenResult | undefined;
  consent: Consent;
  request: DecisionRequest;
}

/** Exactly what the consent service and delivery do with a request's headers. */
async function prepare(spec: RequestSpec, header: string | undefined): Promise<Prepared> {
  // An empty header counts as absent, as in the consent service.
  const token = header ? await verifier.verify(header) : undefined;
  const consent = normalizeConsent({ token, tcf: spec.tcf, gpc: spec.gpc, context: spec.context }, OPTIONS);
  const now = NOW + spec.offsetMinutes * 60_000;
  const context = buildRuleContext({
    now: new Date(now),
    timeZone: TIME_ZONE,
    locale: spec.locale || undefined,
    attributes: consent.attributes,
  });
  return {
    token,
    consent,
    request: { locale: spec.locale, now, purposes: consent.purposes, context, consentReason: consent.reason },
  };
}

describe('decision properties over random variants and consent', () => {
  it('serves a variant only when every purpose it requires is granted by a valid consent (invariant 1)', async () => {
    let targetedServed = 0;
    await fc.assert(
      fc.asyncProperty(variantsArbitrary, requestArbitrary, async (variants, spec) => {
        const { token, consent, request } = await prepare(spec, await tokenHeader(spec.token));
        const decision = chooseVariant(variants, request);
        if (decision.variant === null) return;
        for (const purpose of decision.variant.requiredPurposes) expect(consent.purposes.has(purpose)).toBe(true);
        if (decision.kind === 'targeted') {
          targetedServed += 1;
          expect(token?.ok).toBe(true);
          expect(consent.purposes.has(PERSONALIZATION_PURPOSE)).toBe(true);
        }
      }),
      { numRuns: 400 }
    );
    // The generators do reach the interesting case.
    expect(targetedServed).toBeGreaterThan(0);
  });

  it('decides for a bad token exactly as for no token at all (invariant 3)', async () => {
    let badTokens = 0;
    await fc.assert(
      fc.asyncProperty(
        variantsArbitrary,
        requestArbitrary.filter((spec) => spec.token !== undefined && spec.token.kind !== 'valid'),
        async (variants, spec) => {
          const bad = await prepare(spec, await tokenHeader(spec.token));
          const none = await prepare(spec, undefined);
          expect(bad.token?.ok ?? false).toBe(false);
          badTokens += 1;
          expect(bad.consent.purposes.size).toBe(0);
          expect(Object.keys(bad.consent.attributes)).toEqual([]);
          const withBad = chooseVariant(variants, bad.request);
          const withNone = chooseVariant(variants, none.request);
          expect(withBad.variant?.key ?? null).toBe(withNone.variant?.key ?? null);
          expect(withBad.kind).toBe(withNone.kind);
          expect(withBad.kind).not.toBe('targeted');
          // Only the reason may differ, and only by naming the token's fault instead of its absence.
          const expected = withNone.reason === 'no-token' ? bad.consent.reason : withNone.reason;
          expect(withBad.reason).toBe(expected);
        }
      ),
      { numRuns: 300 }
    );
    expect(badTokens).toBeGreaterThan(0);
  });

  it('gives the same answer for the same content, consent, context and time (invariant 7)', async () => {
    await fc.assert(
      fc.asyncProperty(variantsArbitrary, requestArbitrary, async (variants, spec) => {
        const header = await tokenHeader(spec.token);
        const first = await prepare(spec, header);
        const second = await prepare(spec, header);
        const decision = chooseVariant(variants, first.request);
        expect(labelOf(chooseVariant(variants, second.request))).toEqual(labelOf(decision));
        expect(labelOf(chooseVariant(variants, first.request))).toEqual(labelOf(decision));
        const trace = traceDecision(variants, second.request);
        expect(labelOf(trace.decision)).toEqual(labelOf(decision));
        expect(traceDecision(variants, first.request)).toEqual(trace);
      }),
      { numRuns: 300 }
    );
  });

  it('decides a base asked again, at other times, locales and consents, as a base never asked before', async () => {
    let withoutPurposes = 0;
    await fc.assert(
      fc.asyncProperty(
        variantsArbitrary.filter((variants): variants is BaseVariants => variants !== undefined),
        fc.array(requestArbitrary, { minLength: 2, maxLength: 12 }),
        async (variants, specs) => {
          for (const spec of specs) {
            const { request } = await prepare(spec, await tokenHeader(spec.token));
            if (request.purposes.size === 0) withoutPurposes += 1;
            // The same live variants in a new object: nothing remembered on it.
            const fresh = chooseVariant({ targeted: [...variants.targeted], mass: [...variants.mass] }, request);
            const again = chooseVariant(variants, request);
            expect(labelOf(again)).toEqual(labelOf(fresh));
            expect(again).toBe(fresh);
          }
        }
      ),
      { numRuns: 300 }
    );
    expect(withoutPurposes).toBeGreaterThan(300);
  });
});
