/**
 * Reachability warnings: each case detected, the near misses that must not warn, and a property
 * test of soundness: whenever a variant is said to be shadowed, no request ever gets it served.
 */
import fc from 'fast-check';
import { fullCatalogue } from '../../../server/src/core/catalogue';
import { chooseVariant, type BaseVariants } from '../../../server/src/core/decision';
import { conditionsOf, reachabilityVariant, reachabilityWarnings, type ReachabilityVariant } from '../../../server/src/core/reachability';
import { buildRuleContext, compileAudience, type CompiledRule } from '../../../server/src/core/rules';
import { variantStatus } from '../../../server/src/core/variant-status';
import { liveVariant, ruleCache } from '../../../server/src/core/live-variant';
import type { VariantRecord } from '../../../shared/contracts';

const NOW = Date.parse('2026-06-15T10:30:00Z');
const DAY = 24 * 3600_000;
const PURPOSES = new Set(['necessary', 'functional', 'personalization', 'measurement', 'marketing']);
const CATALOGUE = fullCatalogue({
  country: { type: 'string', source: 'token', purpose: 'personalization' },
  interests: { type: 'string[]', source: 'token', purpose: 'marketing' },
});

function variant(key: string, overrides: Partial<ReachabilityVariant> = {}): ReachabilityVariant {
  return {
    key,
    kind: 'mass',
    enabled: true,
    startsAt: null,
    endsAt: null,
    locales: null,
    publishedLocales: new Set(['en', 'de']),
    requiredPurposes: [],
    conditions: [],
    experimentArm: false,
    ...overrides,
  };
}

const warningsOf = (list: ReachabilityVariant[]) => Object.fromEntries(reachabilityWarnings(list, PURPOSES, NOW));
const weekend = JSON.stringify({ in: [{ var: 'weekday' }, [0, 6]] });
const morning = JSON.stringify({ '<': [{ var: 'hour' }, 12] });

describe('reachability warnings', () => {
  it('flags every mass variant after an unconditional mass variant', () => {
    const list = [variant('everyone'), variant('weekend', { conditions: [weekend] }), variant('also-everyone')];
    expect(warningsOf(list)).toEqual({
      everyone: [],
      weekend: [{ code: 'mass-after-unconditional', by: 'everyone' }],
      'also-everyone': [{ code: 'mass-after-unconditional', by: 'everyone' }],
    });
  });

  it('flags a variant whose conditions include all of an earlier one’s', () => {
    const list = [
      variant('weekend', { conditions: [weekend] }),
      variant('weekend-morning', { conditions: [morning, weekend] }),
      variant('morning', { conditions: [morning] }),
    ];
    expect(warningsOf(list)).toEqual({ weekend: [], 'weekend-morning': [{ code: 'shadowed', by: 'weekend' }], morning: [] });
  });

  it('reads nested and parts and segments as conditions', () => {
    const audience = { and: [{ in: [{ var: 'weekday' }, [0, 6]] }, { and: [{ '<': [{ var: 'hour' }, 12] }, true] }] };
    expect(conditionsOf(audience, ['vip'])).toEqual([weekend, morning, 'segment:vip']);
    expect(conditionsOf(null, null)).toEqual([]);
    expect(conditionsOf(true, [])).toEqual([]);
  });

  it('does not flag when the earlier variant is narrower in locale, schedule, purposes or publication', () => {
    const later = variant('later', { kind: 'targeted', requiredPurposes: ['personalization'], startsAt: NOW, endsAt: NOW + DAY });
    const cases: Array<Partial<ReachabilityVariant>> = [
      { locales: new Set(['en']) },
      { publishedLocales: new Set(['en']) },
      { startsAt: NOW + 1 },
      { endsAt: NOW + DAY - 1 },
      { requiredPurposes: ['personalization', 'marketing'] },
      { conditions: [weekend] },
      { enabled: false },
      { experimentArm: true },
      { conditions: ['false'] },
    ];
    for (const narrower of cases) {
      const earlier = variant('earlier', { kind: 'targeted', requiredPurposes: ['personalization'], ...narrower });
      expect(warningsOf([earlier, later]).later).toEqual([]);
    }
    const covering = variant('earlier', { kind: 'targeted', requiredPurposes: ['personalization'], startsAt: NOW - DAY });
    expect(warningsOf([covering, later]).later).toEqual([{ code: 'shadowed', by: 'earlier' }]);
    expect(warningsOf([covering, { ...later, experimentArm: true }]).later).toEqual([]);
  });

  it('does not call a targeted variant with a purpose-free mass variant after it shadowed, nor the reverse', () => {
    const targeted = variant('targeted', { kind: 'targeted', requiredPurposes: ['personalization'] });
    expect(warningsOf([targeted, variant('mass')]).mass).toEqual([]);
  });

  it('flags an ended schedule and a purpose the site never grants, and nothing more for them', () => {
    const list = [
      variant('everyone'),
      variant('ended', { endsAt: NOW - 1 }),
      variant('astrology', { kind: 'targeted', requiredPurposes: ['personalization', 'astrology'] }),
    ];
    expect(warningsOf(list)).toEqual({
      everyone: [],
      ended: [{ code: 'schedule-ended', endsAt: new Date(NOW - 1).toISOString() }],
      astrology: [{ code: 'purpose-never-granted', purpose: 'astrology' }],
    });
  });
});

describe('variant status', () => {
  const base = { enabled: true, startsAt: null, endsAt: null, publishedLocales: ['en'] };
  it.each([
    ['live', base],
    ['disabled', { ...base, enabled: false, endsAt: NOW - 1 }],
    ['ended', { ...base, endsAt: NOW, publishedLocales: [] }],
    ['draft', { ...base, publishedLocales: [], startsAt: NOW + 1 }],
    ['scheduled', { ...base, startsAt: NOW + 1 }],
    ['live', { ...base, startsAt: NOW, endsAt: NOW + 1 }],
  ])('%s', (expected, input) => {
    expect(variantStatus(input, NOW)).toBe(expected);
  });
});

// ---- soundness ---------------------------------------------------------------------------------

const AUDIENCE_PARTS: unknown[] = [
  { in: [{ var: 'weekday' }, [0, 6]] },
  { '<': [{ var: 'hour' }, 12] },
  { '==': [{ var: 'locale' }, 'de'] },
  { '==': [{ var: 'country' }, 'DE'] },
  { contains: [{ var: 'interests' }, 'sport'] },
  { '/': [{ var: 'hour' }, { var: 'weekday' }] },
];
const SEGMENTS: Record<string, unknown> = {
  weekend: { in: [{ var: 'weekday' }, [0, 6]] },
  germans: { '==': [{ var: 'country' }, 'DE'] },
};
const TIMES = [NOW - 2 * DAY, NOW - DAY, NOW, NOW + DAY, NOW + 2 * DAY];

// Weighted towards what shadows: few conditions, open schedules, published everywhere.
const often = <T>(usual: T, rare: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: rare });

const audience = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  fc.constantFrom(...AUDIENCE_PARTS),
  fc.subarray(AUDIENCE_PARTS, { minLength: 1, maxLength: 3 }).map((parts) => ({ and: parts })),
  fc.constantFrom(true, false)
);

const record = fc.record({
  kind: fc.constantFrom<'targeted' | 'mass'>('targeted', 'mass'),
  audience,
  segments: often([] as string[], fc.subarray(Object.keys(SEGMENTS), { maxLength: 2 })),
  requiredPurposes: often([] as string[], fc.subarray(['marketing', 'measurement', 'astrology'], { maxLength: 2 })),
  enabled: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
  startsAt: often(null as number | null, fc.constantFrom(...TIMES)),
  endsAt: often(null as number | null, fc.constantFrom(...TIMES)),
  locales: often(null as string[] | null, fc.subarray(['en', 'de'], { minLength: 1 })),
  published: often(['en', 'de'], fc.subarray(['en', 'de'])),
  arm: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
});

const request = fc.record({
  locale: fc.constantFrom('en', 'de'),
  now: fc.oneof(fc.constantFrom(...TIMES), fc.integer({ min: NOW - 3 * DAY, max: NOW + 3 * DAY })),
  purposes: fc.subarray([...PURPOSES, 'astrology']),
  country: fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
  interests: fc.option(fc.subarray(['sport', 'news']), { nil: undefined }),
});

it('a variant flagged as shadowed is never served, whatever the request', () => {
  const segments = new Map<string, CompiledRule>(Object.entries(SEGMENTS).map(([key, rule]) => [key, compileAudience(rule)]));
  let flagged = 0;
  fc.assert(
    fc.property(fc.array(record, { minLength: 2, maxLength: 5 }), fc.array(request, { minLength: 1, maxLength: 20 }), (specs, requests) => {
      const rules = ruleCache();
      const built = specs.map((spec, position) => {
        const row = { ...spec, key: `v${position}`, priority: position, variantDocumentId: `d${position}` } as unknown as VariantRecord;
        const live = liveVariant(row, new Set(spec.published), segments, rules, CATALOGUE);
        return { live, reach: reachabilityVariant(live, row, spec.arm) };
      });
      const variants: BaseVariants = {
        targeted: built.filter(({ live }) => live.kind === 'targeted').map(({ live }) => live),
        mass: built.filter(({ live }) => live.kind === 'mass').map(({ live }) => live),
      };
      // Arms leave the chain while their experiment runs (delivery/experiments.ts).
      const chain: BaseVariants = {
        targeted: variants.targeted.filter((live) => !specs[Number(live.key.slice(1))].arm),
        mass: variants.mass.filter((live) => !specs[Number(live.key.slice(1))].arm),
      };
      const ordered = [...variants.targeted, ...variants.mass].map((live) => built.find((item) => item.live === live)!.reach);
      const shadowed = [...reachabilityWarnings(ordered, PURPOSES, NOW)]
        .filter(([, warnings]) => warnings.some((warning) => warning.code === 'shadowed' || warning.code === 'mass-after-unconditional'))
        .map(([key]) => key);
      flagged += shadowed.length;
      for (const visitor of requests) {
        const attributes: Record<string, unknown> = {};
        if (visitor.country !== undefined) attributes.country = visitor.country;
        if (visitor.interests !== undefined) attributes.interests = visitor.interests;
        const context = buildRuleContext({ now: new Date(visitor.now), timeZone: 'Europe/Berlin', locale: visitor.locale, attributes, catalogue: CATALOGUE });
        const ask = { locale: visitor.locale, now: visitor.now, purposes: new Set(visitor.purposes), context, consentReason: 'consent' as const };
        // Whether or not the visitor is enrolled in the running experiment, the chain never serves a shadowed variant.
        for (const list of [variants, chain]) {
          const served = chooseVariant(list, ask).variant?.key;
          if (served !== undefined) expect(shadowed).not.toContain(served);
        }
      }
    }),
    { numRuns: 300 }
  );
  // The property says something only if warnings were emitted.
  expect(flagged).toBeGreaterThan(30);
});

