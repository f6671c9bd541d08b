/**
 * Turns an experiment's aggregate counter rows into what editors read: per arm and overall,
 * exposures, unique visitors, conversions per goal, rates with intervals, uplift, p-value,
 * probability to beat control, the sample-ratio check and a daily series. Pure.
 */
import type { ArmResult, DailyArm, ExperimentResults, GoalComparison, GoalFigures } from '../../../../shared/contracts';
import { controlArmIndex, type ExperimentArm } from './model';
import { UniqueCountSketch, SKETCH_PRECISION, SKETCH_RELATIVE_STANDARD_ERROR } from './sketch';
import {
  probabilityToBeatControl,
  rate,
  relativeUplift,
  sampleRatioCheck,
  twoProportionTest,
  wilsonInterval,
  type Proportion,
} from './statistics';

export type { ArmResult, DailyArm, ExperimentResults, GoalComparison, GoalFigures };

/** One stored row: one experiment, arm and UTC day. Sketches are `UniqueCountSketch.serialize` text. */
export interface CounterRow {
  day: string;
  arm: string;
  exposures: number;
  visitors: string | null;
  /** Conversion events per goal. */
  conversions: Record<string, number> | null;
  /** Unique converters per goal. */
  converters: Record<string, string> | null;
}

interface Tally {
  exposures: number;
  visitors: UniqueCountSketch;
  conversions: Map<string, number>;
  converters: Map<string, UniqueCountSketch>;
}

function emptyTally(): Tally {
  return { exposures: 0, visitors: new UniqueCountSketch(), conversions: new Map(), converters: new Map() };
}

function addRow(tally: Tally, row: CounterRow): void {
  tally.exposures += Number(row.exposures) || 0;
  tally.visitors.merge(UniqueCountSketch.parse(row.visitors));
  for (const [goal, count] of Object.entries(row.conversions ?? {})) {
    tally.conversions.set(goal, (tally.conversions.get(goal) ?? 0) + (Number(count) || 0));
  }
  for (const [goal, sketch] of Object.entries(row.converters ?? {})) {
    let converters = tally.converters.get(goal);
    if (!converters) tally.converters.set(goal, (converters = new UniqueCountSketch()));
    converters.merge(UniqueCountSketch.parse(sketch));
  }
}

function mergeTally(into: Tally, other: Tally): void {
  into.exposures += other.exposures;
  into.visitors.merge(other.visitors);
  for (const [goal, count] of other.conversions) into.conversions.set(goal, (into.conversions.get(goal) ?? 0) + count);
  for (const [goal, sketch] of other.converters) {
    let converters = into.converters.get(goal);
    if (!converters) into.converters.set(goal, (converters = new UniqueCountSketch()));
    converters.merge(sketch);
  }
}

/** Estimates are whole visitors; a converter count never exceeds the visitors it is a share of. */
function proportionOf(tally: Tally, goal: string): Proportion & { events: number } {
  const visitors = Math.round(tally.visitors.estimate());
  const converters = Math.min(visitors, Math.round(tally.converters.get(goal)?.estimate() ?? 0));
  return { visitors, conversions: converters, events: tally.conversions.get(goal) ?? 0 };
}

function figures(tally: Tally, goal: string): GoalFigures {
  const proportion = proportionOf(tally, goal);
  return {
    conversions: proportion.events,
    converters: proportion.conversions,
    rate: rate(proportion),
    interval: wilsonInterval(proportion),
  };
}

function figuresByGoal(tally: Tally, goals: readonly string[]): Record<string, GoalFigures> {
  return Object.fromEntries(goals.map((goal) => [goal, figures(tally, goal)]));
}

export function buildResults(arms: readonly ExperimentArm[], goals: readonly string[], rows: readonly CounterRow[]): ExperimentResults {
  const armKeys = new Set(arms.map((arm) => arm.key));
  const totals = new Map(arms.map((arm) => [arm.key, emptyTally()]));
  const byDay = new Map<string, Map<string, Tally>>();
  for (const row of rows) {
    if (!armKeys.has(row.arm)) continue;
    addRow(totals.get(row.arm)!, row);
    let day = byDay.get(row.day);
    if (!day) byDay.set(row.day, (day = new Map()));
    let tally = day.get(row.arm);
    if (!tally) day.set(row.arm, (tally = emptyTally()));
    addRow(tally, row);
  }

  const control = controlArmIndex(arms);
  const controlTally = totals.get(arms[control].key)!;
  const armResults: ArmResult[] = arms.map((arm, position) => {
    const tally = totals.get(arm.key)!;
    const goalResults = Object.fromEntries(
      goals.map((goal): [string, GoalComparison] => {
        const own = figures(tally, goal);
        if (position === control) return [goal, { ...own, uplift: null, pValue: null, probabilityToBeatControl: null }];
        const base = proportionOf(controlTally, goal);
        const mine = proportionOf(tally, goal);
        return [
          goal,
          {
            ...own,
            uplift: relativeUplift(base, mine),
            pValue: twoProportionTest(base, mine)?.pValue ?? null,
            probabilityToBeatControl: base.visitors > 0 && mine.visitors > 0 ? probabilityToBeatControl(base, mine) : null,
          },
        ];
      })
    );
    return {
      key: arm.key,
      variant: arm.variant,
      weight: arm.weight,
      control: position === control,
      exposures: tally.exposures,
      visitors: Math.round(tally.visitors.estimate()),
      goals: goalResults,
    };
  });

  const overall = emptyTally();
  for (const tally of totals.values()) mergeTally(overall, tally);

  const running = new Map(arms.map((arm) => [arm.key, emptyTally()]));
  const daily = [...byDay.keys()].sort().map((day) => ({
    day,
    arms: arms.map((arm): DailyArm => {
      const tally = byDay.get(day)!.get(arm.key) ?? emptyTally();
      const cumulative = running.get(arm.key)!;
      mergeTally(cumulative, tally);
      return {
        key: arm.key,
        exposures: tally.exposures,
        visitors: Math.round(tally.visitors.estimate()),
        goals: figuresByGoal(tally, goals),
        cumulative: { visitors: Math.round(cumulative.visitors.estimate()), goals: figuresByGoal(cumulative, goals) },
      };
    }),
  }));

  return {
    goals: [...goals],
    arms: armResults,
    overall: { exposures: overall.exposures, visitors: Math.round(overall.visitors.estimate()), goals: figuresByGoal(overall, goals) },
    sampleRatio: sampleRatioCheck(
      armResults.map((arm) => arm.visitors),
      arms.map((arm) => arm.weight)
    ),
    daily,
    estimator: { name: 'HyperLogLog', precision: SKETCH_PRECISION, relativeStandardError: SKETCH_RELATIVE_STANDARD_ERROR },
  };
}
