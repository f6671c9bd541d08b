/**
 * GrowthBook's language-neutral SDK cases (tests/fixtures/conformance/growthbook-cases.json):
 * the `hash`, `getBucketRange` and `chooseVariation` sections, every case.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bucketRanges, chooseVariation, hash } from '../../../server/src/core/experiments';

const CASES = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/conformance/growthbook-cases.json'), 'utf8')) as {
  hash: Array<[string, string, number, number | null]>;
  getBucketRange: Array<[string, [number, number, number[] | null], Array<[number, number]>]>;
  chooseVariation: Array<[string, number, Array<[number, number]>, number]>;
};

describe('GrowthBook conformance: hash', () => {
  it('has cases to run', () => expect(CASES.hash.length).toBeGreaterThanOrEqual(15));
  it.each(CASES.hash)('hash(%j, %j, v%j) is %j', (seed, value, version, expected) => {
    expect(hash(seed, value, version)).toBe(expected);
  });
});

describe('GrowthBook conformance: getBucketRange', () => {
  it('has cases to run', () => expect(CASES.getBucketRange.length).toBeGreaterThanOrEqual(13));
  it.each(CASES.getBucketRange)('%s', (_name, [count, coverage, weights], expected) => {
    const ranges = bucketRanges(count, coverage, weights);
    expect(ranges).toHaveLength(expected.length);
    ranges.forEach(([start, end], index) => {
      // The SDKs compare after rounding to 6 places: 0.2 + 0.2 × 0.3 is 0.26000000000000001 in binary.
      expect(start).toBeCloseTo(expected[index][0], 6);
      expect(end).toBeCloseTo(expected[index][1], 6);
    });
  });
});

describe('GrowthBook conformance: chooseVariation', () => {
  it('has cases to run', () => expect(CASES.chooseVariation.length).toBeGreaterThanOrEqual(13));
  it.each(CASES.chooseVariation)('%s', (_name, n, ranges, expected) => {
    expect(chooseVariation(n, ranges)).toBe(expected);
  });
});
