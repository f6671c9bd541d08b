/** An entry's decision when its base runs an experiment (server/src/delivery/experiments.ts). */
import type { DecisionRequest, LiveVariant } from '../../../server/src/core/decision';
import { assignArm, rangesOf } from '../../../server/src/core/experiments';
import { decideWithExperiment, explainWithExperiment, isCounted, simulateWithExperiment } from '../../../server/src/delivery/experiments';
import type { RunningExperiment } from '../../../server/src/services/experiment-index';

const NOW = Date.parse('2026-11-30T12:00:00Z');

function variant(key: string, overrides: Partial<LiveVariant> = {}): LiveVariant {
  return {
    key,
    documentId: `doc-${key}`,
    kind: 'mass',
    priority: 0,
    enabled: true,
    startsAt: null,
    endsAt: null,
    locales: null,
    publishedLocales: new Set(['en']),
    requiredPurposes: [],
    matches: () => true,
    reads: [],
    ...overrides,
  };
}

const summer = variant('summer');
const winter = variant('winter', { priority: 1 });
const SEED = 'seed-1';
const experiment: RunningExperiment = {
  id: 'exp-doc',
  key: 'hero',
  seed: SEED,
  arms: [
    { key: 'control', variant: null, weight: 0.5 },
    { key: 'summer', variant: 'summer', weight: 0.5 },
  ],
  ranges: rangesOf({ seed: SEED, weights: [0.5, 0.5], coverage: 1 }),
  goals: ['signup'],
  purposes: ['measurement'],
  matches: () => true,
  contentType: 'api::article.article',
  baseDocumentId: 'base',
  armVariants: new Set(['summer']),
  coverage: 1,
  reads: [],
};

function request(purposes: string[], overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return { locale: 'en', now: NOW, purposes: new Set(purposes), context: {}, consentReason: 'consent', ...overrides };
}

/** A subject bucketed into the given arm. */
function subjectIn(arm: number): string {
  for (let index = 0; ; index += 1) if (assignArm(SEED, experiment.ranges, `subject-${index}`) === arm) return `subject-${index}`;
}

describe('decideWithExperiment', () => {
  const variants = { targeted: [], mass: [summer, winter] };

  it('serves an enrolled visitor their arm, the base or the variant, labelled with the experiment', () => {
    expect(decideWithExperiment(experiment, variants, request(['measurement']), subjectIn(1))).toEqual({
      variant: summer,
      kind: 'mass',
      reason: 'experiment',
      experiment: { id: 'exp-doc', key: 'hero', arm: 'summer' },
    });
    expect(decideWithExperiment(experiment, variants, request(['measurement']), subjectIn(0))).toEqual({
      variant: null,
      kind: 'base',
      reason: 'experiment',
      experiment: { id: 'exp-doc', key: 'hero', arm: 'control' },
    });
  });

  it('gives everyone else the ordinary chain without the arm variants', () => {
    expect(decideWithExperiment(experiment, variants, request([]), subjectIn(1))).toMatchObject({ variant: winter, reason: 'mass-match' });
    expect(decideWithExperiment(experiment, variants, request(['measurement']), undefined)).toMatchObject({ variant: winter });
    expect(decideWithExperiment(experiment, { targeted: [], mass: [summer] }, request([]), undefined)).toMatchObject({ variant: null, kind: 'base' });
  });

  it('enrols no one to whom an arm cannot be served: not published in the locale, out of schedule, or missing', () => {
    const subject = subjectIn(0);
    const draftInDe = { targeted: [], mass: [variant('summer', { publishedLocales: new Set(['en']) }), winter] };
    expect(decideWithExperiment(experiment, draftInDe, request(['measurement'], { locale: 'de', context: {} }), subject).reason).not.toBe('experiment');
    const ended = { targeted: [], mass: [variant('summer', { endsAt: NOW - 1 }), winter] };
    expect(decideWithExperiment(experiment, ended, request(['measurement']), subject)).toMatchObject({ variant: winter });
    expect(decideWithExperiment(experiment, { targeted: [], mass: [winter] }, request(['measurement']), subject)).toMatchObject({ variant: winter });
  });

  it('serves the arm variant whatever its own audience says', () => {
    const narrow = { targeted: [], mass: [variant('summer', { matches: () => false })] };
    expect(decideWithExperiment(experiment, narrow, request(['measurement']), subjectIn(1))).toMatchObject({ reason: 'experiment', experiment: { arm: 'summer' } });
  });

  it('decides as without experiments when the base runs none', () => {
    expect(decideWithExperiment(undefined, variants, request(['measurement']), subjectIn(1))).toMatchObject({ variant: summer, reason: 'mass-match' });
  });
});

describe('explainWithExperiment and simulateWithExperiment', () => {
  const variants = { targeted: [], mass: [summer, winter] };

  it('explains an enrolled visitor’s arm, and names what the experiment’s audience read', () => {
    const audience = { ...experiment, reads: ['interests'] };
    const trace = explainWithExperiment(audience, variants, request(['measurement']), subjectIn(1));
    expect(trace.decision).toMatchObject({ variant: summer, reason: 'experiment', experiment: { key: 'hero', arm: 'summer' } });
    expect(trace.experiment).toEqual({ key: 'hero', enrolled: true, arm: 'summer' });
    expect(trace.skipped).toEqual([]);
    expect(trace.read).toEqual(['interests']);
  });

  it('explains why a visitor is not enrolled, with the chain they get instead (no arm variant in it)', () => {
    const withoutPurpose = explainWithExperiment(experiment, variants, request([]), subjectIn(1));
    expect(withoutPurpose.experiment).toEqual({ key: 'hero', enrolled: false, reason: 'consent-missing' });
    expect(withoutPurpose.decision).toMatchObject({ variant: winter, reason: 'mass-match' });
    expect(withoutPurpose.skipped.map((skip) => skip.key)).not.toContain('summer');
    const outside = explainWithExperiment({ ...experiment, matches: () => false }, variants, request(['measurement']), subjectIn(1));
    expect(outside.experiment).toEqual({ key: 'hero', enrolled: false, reason: 'rule-false' });
    const uncovered = { ...experiment, ranges: rangesOf({ seed: SEED, weights: [0.5, 0.5], coverage: 0 }) };
    expect(explainWithExperiment(uncovered, variants, request(['measurement']), subjectIn(1)).experiment).toEqual({
      key: 'hero',
      enrolled: false,
      reason: 'not-covered',
    });
  });

  it('simulates a visitor without a token: eligible, the arms by weight; or why not', () => {
    const eligible = simulateWithExperiment(experiment, variants, request(['measurement']));
    expect(eligible.experiment).toEqual({ key: 'hero', enrolled: 'by-weight', coverage: 1, arms: experiment.arms });
    // Outside the experiment (coverage) such a visitor gets the chain without the arm variants.
    expect(eligible.decision).toMatchObject({ variant: winter });
    expect(simulateWithExperiment(experiment, variants, request(['personalization'])).experiment).toEqual({
      key: 'hero',
      enrolled: false,
      reason: 'consent-missing',
    });
    const unavailable = { targeted: [], mass: [variant('summer', { endsAt: NOW - 1 }), winter] };
    expect(simulateWithExperiment(experiment, unavailable, request(['measurement'])).experiment).toMatchObject({ enrolled: false, reason: 'arm-unavailable' });
  });

  it('traces as without experiments when the base runs none', () => {
    expect(explainWithExperiment(undefined, variants, request(['measurement']), subjectIn(1)).experiment).toBeUndefined();
    expect(simulateWithExperiment(undefined, variants, request(['measurement'])).decision).toMatchObject({ variant: summer });
  });
});

describe('isCounted', () => {
  const ctx = (headers: Record<string, string>) => ({
    method: 'GET',
    path: '/api/articles',
    state: {},
    get: (field: string) => headers[field.toLowerCase()] ?? '',
    set: () => undefined,
    vary: () => undefined,
  });

  it('counts browsers, and not prefetches, prerenders, known bots or the preview', () => {
    expect(isCounted(ctx({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' }))).toBe(true);
    expect(isCounted(ctx({ 'sec-purpose': 'prefetch;prerender' }))).toBe(false);
    expect(isCounted(ctx({ purpose: 'prefetch' }))).toBe(false);
    expect(isCounted(ctx({ 'x-purpose': 'preview' }))).toBe(false);
    expect(isCounted(ctx({ 'user-agent': 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' }))).toBe(false);
    expect(isCounted(ctx({ 'x-personalization-preview': '1' }))).toBe(false);
  });
});
