/**
 * The verdict editors read on an experiment: judged from the results endpoint's numbers by a pure
 * function, worded in English and German, with the sample-ratio warning beside it.
 */
import { render, screen } from '@testing-library/react';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import type { ArmResult, ExperimentResults, VariantRecord } from '../../admin/src/api';
import { useArmNames } from '../../admin/src/components/ExperimentArms';
import {
  ExperimentVerdict,
  SampleRatioWarning,
  judgeExperiment,
  roundUpForDisplay,
  visitorsPerArmNeeded,
} from '../../admin/src/components/ExperimentVerdict';
import de from '../../admin/src/translations/de.json';

interface ArmInput {
  key: string;
  variant: string | null;
  visitors: number;
  converters: number;
  uplift?: number | null;
  probability?: number | null;
  weight?: number;
}

/** Results as the endpoint answers them, for one goal `signup`; the control arm is the one serving the base. */
function resultsOf(arms: ArmInput[], options: { mismatch?: boolean } = {}): ExperimentResults {
  const armResults: ArmResult[] = arms.map((arm) => {
    const rate = arm.visitors ? arm.converters / arm.visitors : null;
    return {
      key: arm.key,
      variant: arm.variant,
      weight: arm.weight ?? 1 / arms.length,
      control: arm.variant === null,
      exposures: arm.visitors * 2,
      visitors: arm.visitors,
      goals: {
        signup: {
          conversions: arm.converters,
          converters: arm.converters,
          rate,
          interval: rate === null ? null : [Math.max(rate - 0.02, 0), rate + 0.02],
          uplift: arm.uplift ?? null,
          pValue: null,
          probabilityToBeatControl: arm.probability ?? null,
        },
      },
    };
  });
  const visitors = arms.reduce((sum, arm) => sum + arm.visitors, 0);
  const converters = arms.reduce((sum, arm) => sum + arm.converters, 0);
  return {
    goals: ['signup'],
    arms: armResults,
    overall: {
      exposures: visitors * 2,
      visitors,
      goals: { signup: { conversions: converters, converters, rate: visitors ? converters / visitors : null, interval: null } },
    },
    sampleRatio: { chiSquare: options.mismatch ? 30 : 0.1, degreesOfFreedom: arms.length - 1, pValue: options.mismatch ? 1e-7 : 0.75, mismatch: Boolean(options.mismatch) },
    daily: [],
    estimator: { name: 'HyperLogLog', precision: 14, relativeStandardError: 0.0081 },
  };
}

const VARIANTS = [{ key: 'outdoor', name: 'Outdoor fans' }] as VariantRecord[];

const Verdict = ({ results }: { results: ExperimentResults }) => {
  const names = useArmNames(VARIANTS);
  return (
    <>
      <SampleRatioWarning results={results} names={names} />
      <ExperimentVerdict verdict={judgeExperiment(results, 'signup')} names={names} />
    </>
  );
};

function renderVerdict(results: ExperimentResults, locale: 'en' | 'de' = 'en') {
  const messages =
    locale === 'de' ? Object.fromEntries(Object.entries(de).map(([id, text]) => [`personalization.${id}`, text])) : {};
  render(
    <IntlProvider locale={locale} defaultLocale="en" messages={messages}>
      <DesignSystemProvider locale={locale}>
        <Verdict results={results} />
      </DesignSystemProvider>
    </IntlProvider>
  );
  return screen.getByTestId('experiment-verdict').textContent;
}

const early = resultsOf([
  { key: 'control', variant: null, visitors: 1000, converters: 100 },
  { key: 'b', variant: 'outdoor', visitors: 1000, converters: 118, uplift: 0.18, probability: 0.912 },
]);

describe('the visitors an arm needs', () => {
  it('matches the two-proportion sample size at 5% significance and 80% power, rounded up to two digits', () => {
    // R: power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8) gives n = 3840.8 per group.
    expect(visitorsPerArmNeeded(0.1, 0.2)).toBe(3900);
    // 10% → 11.8%: (1.96 + 0.84)² · (0.09 + 0.104) / 0.018² = 4,701.5.
    expect(visitorsPerArmNeeded(0.1, 0.18)).toBe(4800);
  });

  it('sizes a change smaller than 5% as 5%, so the advice stays finite', () => {
    expect(visitorsPerArmNeeded(0.1, 0)).toBe(visitorsPerArmNeeded(0.1, 0.05));
    expect(visitorsPerArmNeeded(0.1, 0.01)).toBe(visitorsPerArmNeeded(0.1, 0.05));
  });

  it('sizes a change larger than 20% as 20%, since early large differences are mostly noise', () => {
    expect(visitorsPerArmNeeded(0.375, 0.78)).toBe(visitorsPerArmNeeded(0.375, 0.2));
    expect(visitorsPerArmNeeded(0.375, 0.78)).toBe(680);
  });

  it('rounds up to two significant digits and never below 100', () => {
    expect(roundUpForDisplay(4701.5)).toBe(4800);
    expect(roundUpForDisplay(12)).toBe(100);
    expect(roundUpForDisplay(100_001)).toBe(110_000);
  });
});

describe('judgeExperiment', () => {
  it('names the leading arm, its uplift and probability, and how long to keep running', () => {
    const verdict = judgeExperiment(early, 'signup');
    expect(verdict).toMatchObject({
      kind: 'compared',
      leader: { key: 'b' },
      control: { key: 'control' },
      uplift: 0.18,
      probabilityPercent: 91,
      advice: { kind: 'keep-running', visitorsPerArm: 4800 },
    });
  });

  it('picks the challenger most likely to beat control among several', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 500, converters: 50 },
      { key: 'b', variant: 'outdoor', visitors: 500, converters: 60, uplift: 0.2, probability: 0.83 },
      { key: 'c', variant: 'city', visitors: 500, converters: 70, uplift: 0.4, probability: 0.97 },
    ]);
    expect(judgeExperiment(results, 'signup')).toMatchObject({ kind: 'compared', leader: { key: 'c' } });
  });

  it('advises promoting once there are enough visitors and the arm is 95% likely better', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 6000, converters: 600 },
      { key: 'b', variant: 'outdoor', visitors: 6000, converters: 700, uplift: 0.1667, probability: 0.998 },
    ]);
    expect(judgeExperiment(results, 'signup')).toMatchObject({ probabilityPercent: 99, advice: { kind: 'promote' } });
  });

  it('advises keeping control when the challenger is 95% likely worse', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 6000, converters: 700 },
      { key: 'b', variant: 'outdoor', visitors: 6000, converters: 600, uplift: -0.143, probability: 0.002 },
    ]);
    expect(judgeExperiment(results, 'signup')).toMatchObject({ probabilityPercent: 1, advice: { kind: 'keep-control' } });
  });

  it('says there is no clear winner when enough visitors still leave it open', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 200_000, converters: 20_000 },
      { key: 'b', variant: 'outdoor', visitors: 200_000, converters: 20_040, uplift: 0.002, probability: 0.62 },
    ]);
    expect(judgeExperiment(results, 'signup')).toMatchObject({ advice: { kind: 'no-difference' } });
  });

  it('does not advise anything but fixing the split on a sample-ratio mismatch', () => {
    const results = resultsOf(
      [
        { key: 'control', variant: null, visitors: 6000, converters: 600 },
        { key: 'b', variant: 'outdoor', visitors: 4000, converters: 480, uplift: 0.2, probability: 0.999 },
      ],
      { mismatch: true }
    );
    expect(judgeExperiment(results, 'signup')).toMatchObject({ advice: { kind: 'sample-ratio-mismatch' } });
  });

  it('waits without visitors, without a goal, and while an arm has none', () => {
    const none = resultsOf([
      { key: 'control', variant: null, visitors: 0, converters: 0 },
      { key: 'b', variant: 'outdoor', visitors: 0, converters: 0 },
    ]);
    expect(judgeExperiment(none, 'signup')).toEqual({ kind: 'no-visitors' });
    expect(judgeExperiment(early, undefined)).toEqual({ kind: 'no-goal' });
    expect(judgeExperiment(early, 'purchase')).toEqual({ kind: 'no-goal' });
    const oneSided = resultsOf([
      { key: 'control', variant: null, visitors: 40, converters: 3 },
      { key: 'b', variant: 'outdoor', visitors: 0, converters: 0 },
    ]);
    expect(judgeExperiment(oneSided, 'signup')).toEqual({ kind: 'waiting' });
  });

  it('asks to wait for conversions while nobody has converted', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 300, converters: 0 },
      { key: 'b', variant: 'outdoor', visitors: 300, converters: 0, uplift: null, probability: 0.5 },
    ]);
    expect(judgeExperiment(results, 'signup')).toMatchObject({ uplift: null, advice: { kind: 'wait-for-conversions' } });
  });
});

describe('the verdict as editors read it', () => {
  it('reads as one sentence in English', () => {
    expect(renderVerdict(early)).toBe(
      'Variant “Outdoor fans” converts 18% better than the base; 91% probability it is better; keep running until 4,800 visitors per arm.'
    );
  });

  it('reads as one sentence in German', () => {
    expect(renderVerdict(early, 'de')).toBe(
      'Variante „Outdoor fans“ konvertiert 18 % besser als die Basis; 91 % Wahrscheinlichkeit, dass sie besser ist; weiterlaufen lassen bis 4.800 Besucher je Arm.'
    );
  });

  it('says to keep the base when the variant is likely worse', () => {
    const results = resultsOf([
      { key: 'control', variant: null, visitors: 6000, converters: 700 },
      { key: 'b', variant: 'outdoor', visitors: 6000, converters: 600, uplift: -0.143, probability: 0.002 },
    ]);
    expect(renderVerdict(results)).toBe(
      'Variant “Outdoor fans” converts 14% worse than the base; 1% probability it is better; keep the base: it is likely better.'
    );
  });

  it('warns of a sample-ratio mismatch with the split it found', () => {
    const results = resultsOf(
      [
        { key: 'control', variant: null, visitors: 6000, converters: 600, weight: 0.5 },
        { key: 'b', variant: 'outdoor', visitors: 4000, converters: 480, uplift: 0.2, probability: 0.999, weight: 0.5 },
      ],
      { mismatch: true }
    );
    const verdict = renderVerdict(results);
    expect(screen.getByTestId('experiment-srm').textContent).toContain('The base: 60% (expected 50%), Variant “Outdoor fans”: 40% (expected 50%)');
    expect(verdict).toContain('do not act on this: visitors are not split as the weights say.');
  });

  it('shows no mismatch warning when the split fits the weights', () => {
    renderVerdict(early);
    expect(screen.queryByTestId('experiment-srm')).toBeNull();
  });
});
