import fc from 'fast-check';
import { baseDecision, chooseVariant, type BaseVariants, type Decision, type LiveVariant } from '../../../server/src/core/decision';
import { compileAudience } from '../../../server/src/core/rules';
import { deliveryState, label, LABEL } from '../../../server/src/delivery/labels';
import type { RequestContext } from '../../../server/src/delivery/origin';

const ARTICLE = 'api::article.article';
const NOW = Date.parse('2026-11-29T12:00:00Z');

function variant(key: string, kind: LiveVariant['kind'] = 'targeted'): LiveVariant {
  const rule = compileAudience(null);
  return {
    key,
    documentId: `variant-${key}`,
    kind,
    priority: 0,
    enabled: true,
    startsAt: null,
    endsAt: null,
    locales: null,
    publishedLocales: new Set(['en', 'fr']),
    requiredPurposes: kind === 'targeted' ? ['personalization'] : [],
    matches: rule.evaluate,
    reads: rule.reads,
  };
}

function base(...variants: LiveVariant[]): BaseVariants {
  return { targeted: variants.filter((v) => v.kind === 'targeted'), mass: variants.filter((v) => v.kind === 'mass') };
}

function decide(variants: BaseVariants, purposes: string[], locale = 'en'): Decision {
  return chooseVariant(variants, { locale, now: NOW, purposes: new Set(purposes), context: {}, consentReason: purposes.length ? 'consent' : 'no-token' });
}

function request(): RequestContext {
  return { method: 'GET', path: '/api/articles', state: {}, get: () => '', set: () => undefined, vary: () => undefined };
}

/** Labels the entries of one response; returns what the response's key and served counts are made of. */
function respond(entries: Array<{ documentId: string; locale?: string; decision: Decision; base?: BaseVariants }>) {
  const state = deliveryState(request());
  for (const { documentId, locale, decision, base: variants } of entries) {
    label(state, ARTICLE, { documentId, ...(locale ? { locale } : {}) }, decision, variants);
  }
  return { decisions: [...state.decisions], served: [...state.served], personal: state.personal };
}

describe('label lines', () => {
  const outdoor = base(variant('outdoor'), variant('winter', 'mass'));

  it('names the entry, its locale and its label, whether or not they were kept with the base', () => {
    const decision = decide(outdoor, []);
    expect(respond([{ documentId: 'a1', locale: 'en', decision, base: outdoor }])).toEqual({
      decisions: [`${ARTICLE}:a1:en=winter:mass:mass-match`],
      served: [`${ARTICLE}\u0000a1\u0000winter`],
      personal: false,
    });
    expect(respond([{ documentId: 'a1', locale: 'en', decision }]).decisions).toEqual([`${ARTICLE}:a1:en=winter:mass:mass-match`]);
  });

  it('adds the very same strings when the page is asked for again', () => {
    const decision = decide(outdoor, ['personalization']);
    const first = respond([{ documentId: 'a1', locale: 'en', decision, base: outdoor }]);
    const second = respond([{ documentId: 'a1', locale: 'en', decision, base: outdoor }]);
    expect(second.decisions[0]).toBe(first.decisions[0]);
    expect(second.served[0]).toBe(first.served[0]);
    expect(first.decisions).toEqual([`${ARTICLE}:a1:en=outdoor:targeted:targeted-match`]);
    expect(first.personal).toBe(true);
  });

  it('keeps locales and decisions of one base apart', () => {
    const lines = respond([
      { documentId: 'a1', locale: 'en', decision: decide(outdoor, []), base: outdoor },
      { documentId: 'a1', locale: 'fr', decision: decide(outdoor, [], 'fr'), base: outdoor },
      { documentId: 'a1', locale: 'fr', decision: baseDecision('draft'), base: outdoor },
    ]);
    expect(lines.decisions).toEqual([
      `${ARTICLE}:a1:en=winter:mass:mass-match`,
      `${ARTICLE}:a1:fr=winter:mass:mass-match`,
      `${ARTICLE}:a1:fr=:base:draft`,
    ]);
    // One served line per entry and what it was served as, whatever its locale.
    expect(lines.served).toEqual([`${ARTICLE}\u0000a1\u0000winter`, `${ARTICLE}\u0000a1\u0000`]);
  });

  it('never hands one entry the lines kept for another entry of the same variants object', () => {
    const decision = decide(outdoor, []);
    respond([{ documentId: 'a1', locale: 'en', decision, base: outdoor }]);
    expect(respond([{ documentId: 'b2', locale: 'en', decision, base: outdoor }]).decisions).toEqual([`${ARTICLE}:b2:en=winter:mass:mass-match`]);
    const page = deliveryState(request());
    label(page, 'api::page.page', { documentId: 'b2', locale: 'en' }, decision, outdoor);
    expect([...page.decisions]).toEqual(['api::page.page:b2:en=winter:mass:mass-match']);
  });

  it("writes an experiment's arm into the line, per request", () => {
    const experiment = (arm: string): Decision => ({ variant: null, kind: 'base', reason: 'experiment', experiment: { id: 'e1', key: 'trail', arm } });
    const lines = respond([
      { documentId: 'a1', decision: experiment('control'), base: outdoor },
      { documentId: 'a2', decision: experiment('outdoor'), base: outdoor },
    ]);
    expect(lines.decisions).toEqual([`${ARTICLE}:a1:=:base:experiment:trail/control`, `${ARTICLE}:a2:=:base:experiment:trail/outdoor`]);
    expect(lines.personal).toBe(true);
    expect(respond([{ documentId: 'a1', decision: experiment('outdoor'), base: outdoor }]).decisions).toEqual([`${ARTICLE}:a1:=:base:experiment:trail/outdoor`]);
  });

  it('labels an entry with no variants without adding a line', () => {
    const entry: Record<string | symbol, unknown> = { documentId: 'a1' };
    const state = deliveryState(request());
    label(state, ARTICLE, entry, chooseVariant(undefined, { locale: 'en', now: NOW, purposes: new Set(), context: {}, consentReason: 'no-token' }));
    expect(entry[LABEL]).toEqual({ variant: null, kind: 'base', reason: 'no-variants' });
    expect(state.decisions.size).toBe(0);
    expect(state.served.size).toBe(0);
  });

  it('gives the same lines kept or built anew, for any sequence of entries, locales and decisions', () => {
    const bases = [outdoor, base(variant('city')), base(variant('spring', 'mass'))];
    const entry = fc.record({
      documentId: fc.constantFrom('a1', 'a2', 'b3'),
      locale: fc.constantFrom(undefined, 'en', 'fr'),
      baseIndex: fc.integer({ min: 0, max: bases.length - 1 }),
      purposes: fc.subarray(['personalization', 'measurement']),
      reason: fc.constantFrom(null, 'draft', 'schedule', 'rule-false'),
    });
    fc.assert(
      fc.property(fc.array(fc.array(entry, { maxLength: 6 }), { maxLength: 6 }), (responses) => {
        for (const entries of responses) {
          const decided = entries.map(({ documentId, locale, baseIndex, purposes, reason }) => ({
            documentId,
            locale,
            base: bases[baseIndex],
            decision: reason === null ? decide(bases[baseIndex], purposes, locale ?? 'en') : baseDecision(reason),
          }));
          const kept = respond(decided);
          const built = respond(decided.map(({ base: _unused, ...rest }) => rest));
          expect(kept).toEqual(built);
        }
      })
    );
  });
});
