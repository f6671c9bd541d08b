/** Results from counter rows: sums and unions across days and instances, the control arm, the daily series. */
import { buildResults, UniqueCountSketch, type CounterRow, type ExperimentArm } from '../../../server/src/core/experiments';

const ARMS: ExperimentArm[] = [
  { key: 'control', variant: null, weight: 0.5 },
  { key: 'b', variant: 'summer', weight: 0.5 },
];

function sketch(...values: string[]): string {
  const result = new UniqueCountSketch();
  values.forEach((value) => result.add(value));
  return result.serialize();
}

function row(day: string, arm: string, exposures: number, visitors: string[], converted: string[] = []): CounterRow {
  return {
    day,
    arm,
    exposures,
    visitors: sketch(...visitors),
    conversions: converted.length ? { signup: converted.length } : {},
    converters: converted.length ? { signup: sketch(...converted) } : {},
  };
}

describe('experiment results', () => {
  // Two instances wrote rows for the same arm and day; visitor a came back on day two.
  const rows: CounterRow[] = [
    row('2026-11-01', 'control', 3, ['a', 'b']),
    row('2026-11-01', 'control', 2, ['b', 'c'], ['c']),
    row('2026-11-02', 'control', 1, ['a'], ['a']),
    row('2026-11-01', 'b', 4, ['x', 'y', 'z'], ['x', 'y']),
    row('2026-11-02', 'b', 2, ['x', 'w'], ['x']),
    row('2026-11-02', 'retired-arm', 9, ['q']),
  ];
  const results = buildResults(ARMS, ['signup'], rows);

  it('adds exposures and conversion events, and unions unique visitors and converters', () => {
    const [control, variant] = results.arms;
    expect(control).toMatchObject({ key: 'control', control: true, exposures: 6, visitors: 3 });
    expect(control.goals.signup).toMatchObject({ conversions: 2, converters: 2, uplift: null, pValue: null, probabilityToBeatControl: null });
    expect(variant).toMatchObject({ key: 'b', control: false, exposures: 6, visitors: 4 });
    expect(variant.goals.signup).toMatchObject({ conversions: 3, converters: 2, rate: 0.5 });
    expect(variant.goals.signup.uplift).toBeCloseTo((0.5 - 2 / 3) / (2 / 3), 12);
    expect(variant.goals.signup.pValue).toBeGreaterThan(0);
    expect(variant.goals.signup.probabilityToBeatControl).toBeGreaterThan(0);
    expect(results.overall).toMatchObject({ exposures: 12, visitors: 7 });
    expect(results.overall.goals.signup).toMatchObject({ conversions: 5, converters: 4 });
  });

  it('checks the sample ratio against the weights', () => {
    expect(results.sampleRatio).toMatchObject({ degreesOfFreedom: 1, mismatch: false });
  });

  it('gives a daily series with cumulative figures, in day order', () => {
    expect(results.daily.map((day) => day.day)).toEqual(['2026-11-01', '2026-11-02']);
    const [first, second] = results.daily;
    expect(first.arms[0]).toMatchObject({ key: 'control', exposures: 5, visitors: 3, cumulative: { visitors: 3 } });
    expect(second.arms[0]).toMatchObject({ key: 'control', exposures: 1, visitors: 1, cumulative: { visitors: 3 } });
    expect(second.arms[0].cumulative.goals.signup).toMatchObject({ converters: 2, rate: 2 / 3 });
    expect(second.arms[0].cumulative.goals.signup.interval).toHaveLength(2);
    expect(second.arms[1].cumulative).toMatchObject({ visitors: 4 });
  });

  it('names its estimator', () => {
    expect(results.estimator).toEqual({ name: 'HyperLogLog', precision: 14, relativeStandardError: 1.04 / 128 });
  });

  it('reports empty arms without figures rather than failing', () => {
    const empty = buildResults(ARMS, ['signup'], []);
    expect(empty.arms[1]).toMatchObject({ exposures: 0, visitors: 0 });
    expect(empty.arms[1].goals.signup).toMatchObject({ rate: null, interval: null, uplift: null, pValue: null, probabilityToBeatControl: null });
    expect(empty.sampleRatio).toBeNull();
    expect(empty.daily).toEqual([]);
  });
});
