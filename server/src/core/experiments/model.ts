/** What an experiment is, and which definitions are refused. Pure: no Strapi import. */

import type { ExperimentArm } from '../../../../shared/contracts';

export type { ExperimentArm, ExperimentStatus } from '../../../../shared/contracts';

export interface ArmProblem {
  field: string;
  message: string;
}

/** Weights are entered by people as 0.333…: a sum within this of 1 is 1. */
export const WEIGHT_TOLERANCE = 1e-6;

/**
 * Every problem of a list of arms, each naming its field: fewer than two arms, weights not summing
 * to 1, duplicate arm keys or variants, variant keys the base does not have.
 */
export function armProblems(arms: readonly ExperimentArm[], variantKeys: ReadonlySet<string>): ArmProblem[] {
  const problems: ArmProblem[] = [];
  if (arms.length < 2) problems.push({ field: 'arms', message: `an experiment needs at least two arms, got ${arms.length}` });
  const total = arms.reduce((sum, arm) => sum + arm.weight, 0);
  if (arms.length > 0 && Math.abs(total - 1) > WEIGHT_TOLERANCE) {
    problems.push({ field: 'arms', message: `the arm weights must sum to 1, they sum to ${Number(total.toFixed(6))}` });
  }
  const keys = new Set<string>();
  const variants = new Set<string | null>();
  arms.forEach((arm, position) => {
    if (keys.has(arm.key)) problems.push({ field: `arms[${position}].key`, message: `duplicate arm key "${arm.key}"` });
    keys.add(arm.key);
    if (variants.has(arm.variant)) {
      problems.push({
        field: `arms[${position}].variant`,
        message: arm.variant === null ? 'only one arm can serve the base entry' : `variant "${arm.variant}" is in two arms`,
      });
    }
    variants.add(arm.variant);
    if (arm.variant !== null && !variantKeys.has(arm.variant)) {
      problems.push({ field: `arms[${position}].variant`, message: `unknown variant key "${arm.variant}" for this base entry` });
    }
  });
  return problems;
}

/** The arm results are compared against: the one serving the base, else the first. */
export function controlArmIndex(arms: readonly ExperimentArm[]): number {
  const index = arms.findIndex((arm) => arm.variant === null);
  return index === -1 ? 0 : index;
}
