/**
 * The variant builder: one stored variant record, the locales its document is published in and the
 * compiled segments become the live variant the decision reads. Pure, so tested without Strapi.
 */
import { fullCatalogue } from '../../../server/src/core/catalogue';
import { compileAudience, type CompiledRule } from '../../../server/src/core/rules';
import { liveVariant, ruleCache } from '../../../server/src/core/live-variant';
import type { VariantRecord } from '../../../shared/contracts';

const CATALOGUE = fullCatalogue({
  interests: { type: 'string[]', source: 'token', purpose: 'marketing' },
  device: { type: 'string', source: 'context', purpose: 'functional' },
});

function record(overrides: Partial<VariantRecord> = {}): VariantRecord {
  return {
    id: 1,
    documentId: 'record-1',
    name: 'Outdoor fans',
    key: 'outdoor',
    contentType: 'api::article.article',
    baseDocumentId: 'base-1',
    variantDocumentId: 'variant-1',
    kind: 'targeted',
    audience: { in: ['outdoor', { var: 'interests' }] },
    segments: null,
    requiredPurposes: null,
    priority: 3,
    startsAt: null,
    endsAt: null,
    enabled: true,
    locales: null,
    ...overrides,
  };
}

const noSegments = new Map<string, CompiledRule>();
const build = (overrides: Partial<VariantRecord> = {}, segments = noSegments, published?: Set<string>) =>
  liveVariant(record(overrides), published, segments, ruleCache(), CATALOGUE);

describe('liveVariant builds what the decision reads from a variant record', () => {
  it('keeps key, variant document, kind, priority and enabled, and parses the schedule to epoch milliseconds', () => {
    const live = build({ startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-07-01T00:00:00+02:00', enabled: false });
    expect(live).toMatchObject({ key: 'outdoor', documentId: 'variant-1', kind: 'targeted', priority: 3, enabled: false });
    expect(live.startsAt).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(live.endsAt).toBe(Date.parse('2026-06-30T22:00:00Z'));
    expect(build().startsAt).toBeNull();
    expect(build().endsAt).toBeNull();
  });

  it('reads no locale list or an empty one as every locale, and an unpublished document as published nowhere', () => {
    expect(build({ locales: null }).locales).toBeNull();
    expect(build({ locales: [] }).locales).toBeNull();
    expect([...build({ locales: ['de', 'en'] }).locales!]).toEqual(['de', 'en']);
    expect(build().publishedLocales.size).toBe(0);
    expect([...build({}, noSegments, new Set(['en'])).publishedLocales]).toEqual(['en']);
  });

  it('makes a targeted variant require personalization and the purpose of every attribute its audience and segments read', () => {
    const segments = new Map([['mobile', compileAudience({ '==': [{ var: 'device' }, 'mobile'] })]]);
    const live = build({ segments: ['mobile'], requiredPurposes: ['measurement'] }, segments);
    expect([...live.requiredPurposes].sort()).toEqual(['functional', 'marketing', 'measurement', 'personalization']);
    expect(live.reads).toEqual(['device', 'interests']);
  });

  it('makes a mass variant require only the purposes the editor chose', () => {
    const live = build({ kind: 'mass', audience: { '>=': [{ var: 'hour' }, 8] }, requiredPurposes: ['functional'] });
    expect(live.requiredPurposes).toEqual(['functional']);
    expect(live.reads).toEqual(['hour']);
  });

  it('matches only when the audience and every segment hold', () => {
    const segments = new Map([['mobile', compileAudience({ '==': [{ var: 'device' }, 'mobile'] })]]);
    const live = build({ segments: ['mobile'] }, segments);
    expect(live.matches({ interests: ['outdoor'], device: 'mobile' })).toBe(true);
    expect(live.matches({ interests: ['outdoor'], device: 'desktop' })).toBe(false);
    expect(live.matches({ interests: ['indoor'], device: 'mobile' })).toBe(false);
  });

  it('never matches through a segment that no longer exists', () => {
    const live = build({ audience: null, segments: ['deleted'] });
    expect(live.matches({ interests: ['outdoor'] })).toBe(false);
  });

  it('explains which segment decided against the visitor and what it read', () => {
    const segments = new Map([['mobile', compileAudience({ '==': [{ var: 'device' }, 'mobile'] })]]);
    const live = build({ segments: ['mobile'] }, segments);
    const explained = live.explain!({ interests: ['outdoor'], device: 'desktop' });
    expect(explained.decidedBy).toMatch(/^segment:mobile\./);
    expect(explained.read).toEqual(['device', 'interests']);
  });

  it('keeps nothing of the record: changing it after the build changes neither matching nor explain', () => {
    const stored = record({ segments: ['mobile'] });
    const segments = new Map([['mobile', compileAudience({ '==': [{ var: 'device' }, 'mobile'] })]]);
    const live = liveVariant(stored, undefined, segments, ruleCache(), CATALOGUE);
    const visitor = { interests: ['outdoor'], device: 'desktop' };
    const before = live.explain!(visitor);
    expect(before.decidedBy).toMatch(/^segment:mobile\./);
    stored.audience = { in: ['indoor', { var: 'interests' }] };
    stored.segments = [];
    expect(live.matches(visitor)).toBe(false);
    expect(live.explain!(visitor)).toEqual(before);
  });

  it('gives variants of the same shape one shared copy of their purposes, attributes and locale sets', () => {
    const rules = ruleCache();
    const shaped = (n: number) =>
      liveVariant(record({ key: `k${n}`, variantDocumentId: `v${n}`, locales: ['en', 'de'] }), new Set(['en', 'de']), noSegments, rules, CATALOGUE);
    const [first, second] = [shaped(1), shaped(2)];
    expect(second.requiredPurposes).toBe(first.requiredPurposes);
    expect(second.reads).toBe(first.reads);
    expect(second.locales).toBe(first.locales);
    expect(second.publishedLocales).toBe(first.publishedLocales);
    expect(second.documentId).not.toBe(first.documentId);
    const other = liveVariant(record({ locales: ['en'] }), new Set(['en']), noSegments, rules, CATALOGUE);
    expect([...other.locales!]).toEqual(['en']);
    expect([...other.publishedLocales]).toEqual(['en']);
    expect([...first.publishedLocales]).toEqual(['de', 'en']);
  });
});

describe('ruleCache', () => {
  it('compiles one rule once: variants with the same audience share the compiled rule', () => {
    const rules = ruleCache();
    const first = rules.compile({ '==': [{ var: 'locale' }, 'de'] });
    expect(rules.compile({ '==': [{ var: 'locale' }, 'de'] })).toBe(first);
    expect(rules.compile({ '==': [{ var: 'locale' }, 'en'] })).not.toBe(first);
  });

  it('keeps after a completed full build only the rules that build used, and everything after an aborted one', () => {
    const rules = ruleCache();
    const kept = rules.compile({ '==': [{ var: 'locale' }, 'de'] });
    const dropped = rules.compile({ '==': [{ var: 'locale' }, 'en'] });
    rules.beginFullBuild();
    expect(rules.compile({ '==': [{ var: 'locale' }, 'de'] })).toBe(kept);
    rules.endFullBuild(true);
    expect(rules.compile({ '==': [{ var: 'locale' }, 'en'] })).not.toBe(dropped);

    const again = ruleCache();
    const survivor = again.compile({ '==': [{ var: 'locale' }, 'fr'] });
    again.beginFullBuild();
    again.endFullBuild(false);
    expect(again.compile({ '==': [{ var: 'locale' }, 'fr'] })).toBe(survivor);
  });
});
