/**
 * GrowthBook's deterministic bucketing, reimplemented from its public description and pinned by its
 * language-neutral conformance cases (`hash`, `getBucketRange`, `chooseVariation`). Pure.
 */

/** A range of the unit interval: `[start, end)`. */
export type BucketRange = readonly [number, number];

/** 32-bit FNV-1a over UTF-16 code units, as GrowthBook's SDKs hash strings. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let position = 0; position < text.length; position += 1) {
    hash ^= text.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A number in [0, 1) from a seed and a value. Version 2 hashes twice, so that seeds differing in
 * one character do not give correlated buckets; version 1 is kept for the conformance cases.
 * Unknown versions give null.
 */
export function hash(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

export function equalWeights(count: number): number[] {
  if (count <= 0) return [];
  return new Array(count).fill(1 / count);
}

/**
 * Each variation's slice of [0, 1): consecutive slices as wide as the weights, each filled from its
 * start to `coverage` of its width. Weights that do not match the count or do not sum to about 1
 * fall back to equal weights; coverage is clamped to [0, 1].
 */
export function bucketRanges(count: number, coverage: number, weights?: readonly number[] | null): BucketRange[] {
  const clamped = Math.min(1, Math.max(0, coverage));
  let used = weights && weights.length === count ? weights : equalWeights(count);
  const total = used.reduce((sum, weight) => sum + weight, 0);
  if (total < 0.99 || total > 1.01) used = equalWeights(count);
  let cumulative = 0;
  return used.map((weight) => {
    const start = cumulative;
    cumulative += weight;
    return [start, start + clamped * weight] as const;
  });
}

/** The index of the range `n` falls into, or -1 when it falls into none (outside the coverage). */
export function chooseVariation(n: number, ranges: readonly BucketRange[]): number {
  for (let index = 0; index < ranges.length; index += 1) {
    if (n >= ranges[index][0] && n < ranges[index][1]) return index;
  }
  return -1;
}
