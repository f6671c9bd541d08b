/** The unique-visitor sketch: counts each value once, merges without double counting, keeps its stated error. */
import { SKETCH_RELATIVE_STANDARD_ERROR, UniqueCountSketch } from '../../../server/src/core/experiments';

function sketchOf(from: number, to: number, prefix = 'visitor-'): UniqueCountSketch {
  const sketch = new UniqueCountSketch();
  for (let index = from; index < to; index += 1) sketch.add(`${prefix}${index}`);
  return sketch;
}

describe('unique-count sketch (HyperLogLog)', () => {
  it('states a relative standard error of 1.04/√16384 ≈ 0.81%', () => {
    expect(SKETCH_RELATIVE_STANDARD_ERROR).toBeCloseTo(0.008125, 6);
  });

  it('counts a value added many times once', () => {
    const sketch = new UniqueCountSketch();
    for (let round = 0; round < 50; round += 1) for (let index = 0; index < 20; index += 1) sketch.add(`v${index}`);
    expect(Math.round(sketch.estimate())).toBe(20);
  });

  it.each([0, 1, 10, 100, 1000])('counts %d visitors exactly while sparse', (count) => {
    expect(Math.round(sketchOf(0, count).estimate())).toBe(count);
  });

  it.each([10_000, 50_000, 200_000])('estimates %d visitors within three standard errors', (count) => {
    const estimate = sketchOf(0, count).estimate();
    expect(Math.abs(estimate - count) / count).toBeLessThan(3 * SKETCH_RELATIVE_STANDARD_ERROR);
  });

  it('merges into exactly the sketch of the union, sparse and dense alike', () => {
    const direct = sketchOf(0, 10_000);
    const merged = sketchOf(0, 2_500).merge(sketchOf(2_000, 10_000));
    expect(merged.serialize()).toBe(direct.serialize());
    const small = sketchOf(0, 300).merge(sketchOf(200, 600));
    expect(small.serialize()).toBe(sketchOf(0, 600).serialize());
  });

  it('adds up across instances: two halves merged count the whole once', () => {
    const estimate = sketchOf(0, 30_000).merge(sketchOf(15_000, 45_000)).estimate();
    expect(Math.abs(estimate - 45_000) / 45_000).toBeLessThan(3 * SKETCH_RELATIVE_STANDARD_ERROR);
  });

  it('round-trips through its text form, and reads anything else as empty', () => {
    for (const sketch of [sketchOf(0, 0), sketchOf(0, 500), sketchOf(0, 20_000)]) {
      const text = sketch.serialize();
      expect(UniqueCountSketch.parse(text).serialize()).toBe(text);
    }
    for (const junk of [null, undefined, 42, '', 'nonsense', 'hll1:d:AAAA', 'hll1:s:A']) {
      expect(UniqueCountSketch.parse(junk).estimate()).toBe(0);
    }
  });

  it('holds no value it counted', () => {
    const text = sketchOf(0, 50, 'subject-9f1c2a').serialize();
    expect(Buffer.from(text.split(':')[2], 'base64').toString('latin1')).not.toContain('subject');
    expect(text).not.toContain('subject');
  });
});
