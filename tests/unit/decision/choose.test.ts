import { chooseVariant, traceDecision, type LiveVariant, type DecisionRequest } from '../../../server/src/core/decision';
import { compileAudience, explainRule } from '../../../server/src/core/rules';

const NOW = Date.parse('2026-11-29T12:00:00Z');

function variant(overrides: Partial<LiveVariant> & { key: string; audience?: unknown }): LiveVariant {
  const rule = compileAudience(overrides.audience ?? null);
  return {
    documentId: `doc-${overrides.key}`,
    kind: 'targeted',
    priority: 0,
    enabled: true,
    startsAt: null,
    endsAt: null,
    locales: null,
    publishedLocales: new Set(['en']),
    requiredPurposes: overrides.kind === 'mass' ? [] : ['personalization'],
    matches: rule.evaluate,
    reads: rule.reads,
    explain: (context) => explainRule(overrides.audience ?? null, context),
    ...overrides,
  };
}

function request(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    locale: 'en',
    now: NOW,
    purposes: new Set(['personalization']),
    context: { interests: ['outdoor'] },
    consentReason: 'consent',
    ...overrides,
  };
}

const outdoor = variant({ key: 'outdoor', audience: { in: ['outdoor', { var: 'interests' }] } });
const cooking = variant({ key: 'cooking', audience: { in: ['cooking', { var: 'interests' }] } });
const campaign = variant({ key: 'campaign', kind: 'mass' });

describe('chooseVariant', () => {
  it('serves the first matching targeted variant by list order', () => {
    const decision = chooseVariant({ targeted: [cooking, outdoor], mass: [campaign] }, request());
    expect(decision).toMatchObject({ kind: 'targeted', reason: 'targeted-match' });
    expect(decision.variant?.key).toBe('outdoor');
  });

  it('falls back to the mass variant when no targeted one matches', () => {
    const decision = chooseVariant({ targeted: [cooking], mass: [campaign] }, request());
    expect(decision.variant?.key).toBe('campaign');
    expect(decision.reason).toBe('mass-match');
  });

  it('names the token problem when a targeted variant was held back for consent', () => {
    const decision = chooseVariant(
      { targeted: [outdoor], mass: [] },
      request({ purposes: new Set(), context: {}, consentReason: 'token-expired' })
    );
    expect(decision).toEqual({ variant: null, kind: 'base', reason: 'token-expired' });
  });

  it.each([
    [{ enabled: false }, 'disabled'],
    [{ locales: new Set(['de']) }, 'locale-excluded'],
    [{ publishedLocales: new Set(['de']) }, 'locale-missing'],
    [{ publishedLocales: new Set<string>() }, 'draft'],
    [{ startsAt: NOW + 1 }, 'schedule'],
    [{ endsAt: NOW }, 'schedule'],
    [{ requiredPurposes: ['personalization', 'marketing'] }, 'consent-missing'],
  ] as const)('skips a variant with %j as %s', (overrides, reason) => {
    const decision = chooseVariant({ targeted: [{ ...outdoor, ...overrides }], mass: [] }, request());
    expect(decision).toEqual({ variant: null, kind: 'base', reason });
  });

  it('serves a variant whose schedule starts exactly now', () => {
    expect(chooseVariant({ targeted: [{ ...outdoor, startsAt: NOW }], mass: [] }, request()).variant?.key).toBe('outdoor');
  });

  it('says no-variants for an entry without any', () => {
    expect(chooseVariant(undefined, request())).toEqual({ variant: null, kind: 'base', reason: 'no-variants' });
  });
});

describe('traceDecision', () => {
  it('lists skipped variants with reasons and the attribute names the evaluated rules read', () => {
    const trace = traceDecision({ targeted: [cooking, outdoor], mass: [campaign] }, request());
    expect(trace.decision.variant?.key).toBe('outdoor');
    expect(trace.skipped).toEqual([{ key: 'cooking', kind: 'targeted', reason: 'rule-false', decidedBy: '(root)' }]);
    expect(trace.decidedBy).toBe('(root)');
    expect(trace.read).toEqual(['interests']);
  });
});
