/**
 * The plain-language verdict on an experiment's results ("Variant “B” converts 18% better than the
 * base; 96% probability it is better; keep running until 4,800 visitors per arm") and the
 * sample-ratio-mismatch warning. `judgeExperiment` decides from the results endpoint's numbers and
 * is pure; the components only word its answer.
 */
import { Box, Typography } from '@strapi/design-system';
import type { ArmResult, ExperimentArm, ExperimentResults } from '../api';
import { useT } from '../hooks/useT';

/** Two-sided 5% significance and 80% power: the usual planning values for a two-proportion test. */
const Z_ALPHA = 1.959964;
const Z_POWER = 0.841621;
/** The smallest relative change worth detecting when the observed one is smaller. */
const MIN_DETECTABLE_UPLIFT = 0.05;
/**
 * The largest change the test is sized for: a large difference early on is mostly noise, and
 * sizing by it would call the test off after a few dozen visitors.
 */
const MAX_PLANNED_UPLIFT = 0.2;
/** P(better) at which an arm counts as the winner (or, below 1 − this, as the loser). */
const DECISIVE_PROBABILITY = 0.95;
const MIN_VISITORS_PER_ARM = 100;

export type VerdictAdvice =
  /** Not enough visitors yet for the difference seen (sized between 5% and 20%). */
  | { kind: 'keep-running'; visitorsPerArm: number }
  /** No conversions at all yet: nothing to size the test by. */
  | { kind: 'wait-for-conversions' }
  | { kind: 'promote' }
  | { kind: 'keep-control' }
  /** Enough visitors, and still no side is likely better. */
  | { kind: 'no-difference' }
  /** The split differs from the weights: no comparison can be trusted. */
  | { kind: 'sample-ratio-mismatch' };

export type Verdict =
  | { kind: 'no-goal' }
  | { kind: 'no-visitors' }
  /** An arm has no visitors yet. */
  | { kind: 'waiting' }
  | {
      kind: 'compared';
      leader: ArmResult;
      control: ArmResult;
      /** Relative change of the leader's rate over control's; null while control has no conversions. */
      uplift: number | null;
      /** Whole percent, 1–99 unless the probability is exactly 0 or 1. */
      probabilityPercent: number;
      advice: VerdictAdvice;
    };

/** Rounds up to two significant digits, so the advice reads 4,800 rather than 4,702. */
export function roundUpForDisplay(value: number): number {
  if (value <= MIN_VISITORS_PER_ARM) return MIN_VISITORS_PER_ARM;
  const step = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.ceil(value / step) * step;
}

/**
 * Visitors per arm a two-proportion test needs to detect the change from `baseRate` by `uplift`
 * (relative) at 5% significance with 80% power; the change is sized between 5% and 20%.
 */
export function visitorsPerArmNeeded(baseRate: number, uplift: number): number {
  const size = Math.min(Math.max(Math.abs(uplift), MIN_DETECTABLE_UPLIFT), MAX_PLANNED_UPLIFT);
  const other = Math.min(Math.max(baseRate * (uplift < 0 ? 1 - size : 1 + size), 0), 1);
  const difference = other - baseRate;
  const variance = baseRate * (1 - baseRate) + other * (1 - other);
  return roundUpForDisplay(((Z_ALPHA + Z_POWER) ** 2 * variance) / difference ** 2);
}

function percentOf(probability: number): number {
  const percent = Math.round(probability * 100);
  if (probability > 0 && probability < 1) return Math.min(Math.max(percent, 1), 99);
  return percent;
}

/** The verdict on one goal: the challenger most likely to beat control, by how much, and what to do. */
export function judgeExperiment(results: ExperimentResults, goal: string | undefined): Verdict {
  if (!goal || !results.goals.includes(goal)) return { kind: 'no-goal' };
  if (results.overall.visitors === 0) return { kind: 'no-visitors' };
  const control = results.arms.find((arm) => arm.control) ?? results.arms[0];
  const challengers = results.arms.filter((arm) => arm !== control);
  if (control.visitors === 0 || challengers.some((arm) => arm.visitors === 0)) return { kind: 'waiting' };

  const probability = (arm: ArmResult) => arm.goals[goal]?.probabilityToBeatControl ?? 0.5;
  const leader = challengers.reduce((best, arm) => (probability(arm) > probability(best) ? arm : best));
  const p = probability(leader);
  const uplift = leader.goals[goal]?.uplift ?? null;

  let advice: VerdictAdvice;
  const baseRate = control.goals[goal]?.rate ?? 0;
  const pooledRate = results.overall.goals[goal]?.rate ?? 0;
  const fewest = Math.min(control.visitors, leader.visitors);
  if (results.sampleRatio?.mismatch) advice = { kind: 'sample-ratio-mismatch' };
  else if (baseRate === 0 && pooledRate === 0) advice = { kind: 'wait-for-conversions' };
  else {
    // Without conversions in control there is no uplift to size by: size the smallest change at the pooled rate.
    const needed = baseRate > 0 ? visitorsPerArmNeeded(baseRate, uplift ?? 0) : visitorsPerArmNeeded(pooledRate, 0);
    if (fewest < needed) advice = { kind: 'keep-running', visitorsPerArm: needed };
    else if (p >= DECISIVE_PROBABILITY) advice = { kind: 'promote' };
    else if (p <= 1 - DECISIVE_PROBABILITY) advice = { kind: 'keep-control' };
    else advice = { kind: 'no-difference' };
  }
  return { kind: 'compared', leader, control, uplift, probabilityPercent: percentOf(p), advice };
}

export interface ArmNames {
  /** "Variant “Outdoor fans”", "The base": the start of a sentence. */
  subject(arm: Pick<ExperimentArm, 'variant'>): string;
  /** "variant “Outdoor fans”", "the base": inside a sentence. */
  object(arm: Pick<ExperimentArm, 'variant'>): string;
}

/** The verdict as one sentence in the admin's language. */
export function useVerdictWording() {
  const t = useT();
  return (verdict: Verdict, names: ArmNames): string => {
    switch (verdict.kind) {
      case 'no-goal':
        return t('experiments.verdict.noGoal', 'This experiment has no goal, so there is nothing to compare. Add a goal to measure conversions.');
      case 'no-visitors':
        return t('experiments.verdict.noVisitors', 'No visitors yet. Results appear once enrolled visitors see the entry.');
      case 'waiting':
        return t('experiments.verdict.waiting', 'Not every arm has visitors yet; keep running.');
      case 'compared': {
        const arm = names.subject(verdict.leader);
        const control = names.object(verdict.control);
        const uplift = verdict.uplift === null ? null : Math.round(Math.abs(verdict.uplift) * 100);
        const change =
          verdict.uplift === null
            ? t('experiments.verdict.noBaseConversions', '{arm} converts while {control} has no conversions yet', { arm, control })
            : uplift === 0
              ? t('experiments.verdict.same', '{arm} converts as well as {control}', { arm, control })
              : verdict.uplift > 0
                ? t('experiments.verdict.better', '{arm} converts {uplift}% better than {control}', { arm, control, uplift })
                : t('experiments.verdict.worse', '{arm} converts {uplift}% worse than {control}', { arm, control, uplift });
        const probability = t('experiments.verdict.probability', '{probability}% probability it is better', {
          probability: verdict.probabilityPercent,
        });
        const advice = verdict.advice;
        const next =
          advice.kind === 'keep-running'
            ? t('experiments.verdict.keepRunning', 'keep running until {visitors, number} visitors per arm', { visitors: advice.visitorsPerArm })
            : advice.kind === 'wait-for-conversions'
              ? t('experiments.verdict.waitForConversions', 'keep running until visitors convert')
              : advice.kind === 'promote'
                ? t('experiments.verdict.promote', 'it is likely the winner: you can promote it')
                : advice.kind === 'keep-control'
                  ? t('experiments.verdict.keepControl', 'keep {control}: it is likely better', { control })
                  : advice.kind === 'no-difference'
                    ? t('experiments.verdict.noDifference', 'no clear winner with this many visitors; the arms likely convert alike')
                    : t('experiments.verdict.mismatch', 'do not act on this: visitors are not split as the weights say');
        return t('experiments.verdict.sentence', '{change}; {probability}; {next}.', { change, probability, next });
      }
    }
  };
}

export const ExperimentVerdict = ({ verdict, names }: { verdict: Verdict; names: ArmNames }) => {
  const word = useVerdictWording();
  const decisive = verdict.kind === 'compared' && (verdict.advice.kind === 'promote' || verdict.advice.kind === 'keep-control');
  return (
    <Box
      background={decisive ? 'success100' : 'neutral100'}
      borderColor={decisive ? 'success200' : 'neutral200'}
      borderStyle="solid"
      borderWidth="1px"
      hasRadius
      padding={4}
      data-testid="experiment-verdict"
    >
      <Typography variant="omega" fontWeight="semiBold">
        {word(verdict, names)}
      </Typography>
    </Box>
  );
};

/** Shown when the split of visitors differs from the weights beyond chance (p < 0.001). */
export const SampleRatioWarning = ({ results, names }: { results: ExperimentResults; names: ArmNames }) => {
  const t = useT();
  if (!results.sampleRatio?.mismatch) return null;
  const total = results.arms.reduce((sum, arm) => sum + arm.visitors, 0);
  const split = results.arms
    .map((arm) =>
      t('experiments.srm.arm', '{arm}: {actual}% (expected {expected}%)', {
        arm: names.subject(arm),
        actual: total ? Math.round((arm.visitors / total) * 100) : 0,
        expected: Math.round(arm.weight * 100),
      })
    )
    .join(', ');
  return (
    <Box background="danger100" borderColor="danger200" borderStyle="solid" borderWidth="1px" hasRadius padding={4} role="alert" data-testid="experiment-srm">
      <Typography variant="omega" fontWeight="bold" textColor="danger700" tag="p">
        {t('experiments.srm.title', 'Sample ratio mismatch')}
      </Typography>
      <Typography variant="pi" textColor="danger700" tag="p">
        {t(
          'experiments.srm.body',
          'Visitors are not split as the weights say ({split}). Something treats the arms differently, such as a cache, a redirect or a bot filter. Do not trust the comparison until that is fixed.',
          { split }
        )}
      </Typography>
    </Box>
  );
};
