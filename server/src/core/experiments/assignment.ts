/**
 * Where a visitor's arm is chosen: a pure function of the experiment's seed and the token's `sub`,
 * so the same visitor gets the same arm on every request and every instance without anything stored.
 */
import { bucketRanges, chooseVariation, hash, type BucketRange } from './bucketing';

export interface Bucketing {
  /** Fixed when the experiment is created; two experiments never share buckets by accident. */
  seed: string;
  weights: readonly number[];
  /** The share of eligible visitors enrolled, 0–1. */
  coverage: number;
}

/** Precomputed once per experiment: the request path only hashes and scans. */
export function rangesOf(bucketing: Bucketing): BucketRange[] {
  return bucketRanges(bucketing.weights.length, bucketing.coverage, bucketing.weights);
}

/** The arm index for this subject, or -1 when the coverage leaves the subject out. */
export function assignArm(seed: string, ranges: readonly BucketRange[], subject: string): number {
  return chooseVariation(hash(seed, subject, 2)!, ranges);
}
