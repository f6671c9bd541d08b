/**
 * Who takes part in an experiment. Only a visitor whose consent grants the experiment purpose, who
 * has a pseudonymous subject to bucket on, whom the audience matches and to whom every arm could
 * be served is enrolled; then the bucket decides the arm, or leaves them out (coverage). Pure.
 */
import { assignArm } from './assignment';
import type { BucketRange } from './bucketing';
import type { ExperimentArm } from './model';
import type { NotEnrolledReason } from '../../../../shared/contracts';

export interface LiveExperiment {
  /** The experiment's documentId: what its counters are stored under. */
  id: string;
  key: string;
  seed: string;
  arms: readonly ExperimentArm[];
  ranges: readonly BucketRange[];
  goals: readonly string[];
  /** Purposes enrolment needs: `experiments.purpose`, and those of the attributes the audience reads. */
  purposes: readonly string[];
  /** The audience and its segments over the consent-filtered context; never throws. */
  matches(context: object): boolean;
}

export interface Visitor {
  purposes: ReadonlySet<string>;
  /** The token's `sub`; absent without a valid token. */
  subject?: string;
  context: object;
}

export type { NotEnrolledReason };

export type Enrolment = { enrolled: true; arm: number } | { enrolled: false; reason: NotEnrolledReason };

const ALWAYS = () => true;

/**
 * Why a visitor with these purposes and context could not take part, whoever they are; null when
 * only the bucket of their subject is left to decide (the simulator's visitor has no subject).
 */
export function ineligibility(
  experiment: LiveExperiment,
  visitor: Omit<Visitor, 'subject'>,
  armAvailable: (arm: ExperimentArm) => boolean = ALWAYS
): Exclude<NotEnrolledReason, 'not-covered'> | null {
  for (const purpose of experiment.purposes) {
    if (!visitor.purposes.has(purpose)) return 'consent-missing';
  }
  if (!experiment.matches(visitor.context)) return 'rule-false';
  for (const arm of experiment.arms) {
    if (!armAvailable(arm)) return 'arm-unavailable';
  }
  return null;
}

/** `armAvailable` says whether an arm's variant could be served in this request (locale, schedule, purposes). */
export function enrol(experiment: LiveExperiment, visitor: Visitor, armAvailable: (arm: ExperimentArm) => boolean = ALWAYS): Enrolment {
  if (!visitor.subject) return { enrolled: false, reason: 'consent-missing' };
  const reason = ineligibility(experiment, visitor, armAvailable);
  if (reason !== null) return { enrolled: false, reason };
  const arm = assignArm(experiment.seed, experiment.ranges, visitor.subject);
  return arm === -1 ? { enrolled: false, reason: 'not-covered' } : { enrolled: true, arm };
}
