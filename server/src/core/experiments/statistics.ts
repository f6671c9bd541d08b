/**
 * The statistics an experiment's results report, from aggregate counts only. Pure, and checked
 * against SciPy's values in tests/unit/experiments/statistics.test.ts.
 */

export interface Proportion {
  /** Visitors who converted. */
  conversions: number;
  /** Visitors exposed. */
  visitors: number;
}

/** The standard normal quantile of 0.975 (SciPy `norm.ppf(0.975)`). */
export const Z_95 = 1.959963984540054;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-14). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const shifted = x - 1;
  let sum = coefficients[0];
  for (let index = 1; index < coefficients.length; index += 1) sum += coefficients[index] / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The complementary error function: a positive series below 1.5, a continued fraction above (relative error < 1e-13). */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) {
    // erf(x) = 2x/√π · e^(−x²) · Σ (2x²)^n / (1·3·…·(2n+1)): every term positive, no cancellation.
    const twoSquare = 2 * x * x;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200 && term > sum * 1e-17; n += 1) {
      term *= twoSquare / (2 * n + 1);
      sum += term;
    }
    return 1 - ((2 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))), evaluated from the tail.
  let fraction = x;
  for (let k = 200; k >= 1; k -= 1) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function twoSidedNormalP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** The regularized upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above). */
export function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10_000; n += 1) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

export function rate({ conversions, visitors }: Proportion): number | null {
  return visitors > 0 ? conversions / visitors : null;
}

/** The Wilson score interval at 95%: well-behaved at 0 and 100% and for small samples. */
export function wilsonInterval({ conversions, visitors }: Proportion, z = Z_95): [number, number] | null {
  if (visitors <= 0) return null;
  const p = conversions / visitors;
  const z2 = z * z;
  const denominator = 1 + z2 / visitors;
  const centre = (p + z2 / (2 * visitors)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / visitors + z2 / (4 * visitors * visitors));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** (variant − control) / control; null when the control rate is 0 or unknown. */
export function relativeUplift(control: Proportion, variant: Proportion): number | null {
  const base = rate(control);
  const other = rate(variant);
  if (base === null || other === null || base === 0) return null;
  return (other - base) / base;
}

/**
 * The two-proportion z-test with pooled variance, two-sided (equal to the 2×2 chi-square test
 * without continuity correction). Null when it is undefined: an empty arm, or no variance at all.
 */
export function twoProportionTest(control: Proportion, variant: Proportion): { z: number; pValue: number } | null {
  if (control.visitors <= 0 || variant.visitors <= 0) return null;
  const pooled = (control.conversions + variant.conversions) / (control.visitors + variant.visitors);
  const variance = pooled * (1 - pooled) * (1 / control.visitors + 1 / variant.visitors);
  if (variance <= 0) return null;
  const z = (variant.conversions / variant.visitors - control.conversions / control.visitors) / Math.sqrt(variance);
  return { z, pValue: twoSidedNormalP(z) };
}

/** Above this many terms the exact sum is replaced by the normal approximation of the posteriors. */
const EXACT_TERMS_LIMIT = 200_000;

/**
 * P(variant rate > control rate) with independent Beta(1 + conversions, 1 + non-conversions)
 * posteriors (uniform priors). Exact: Evan Miller's closed form, summed over the smaller side.
 */
export function probabilityToBeatControl(control: Proportion, variant: Proportion): number {
  const a = { alpha: 1 + control.conversions, beta: 1 + control.visitors - control.conversions };
  const b = { alpha: 1 + variant.conversions, beta: 1 + variant.visitors - variant.conversions };
  if (Math.min(a.alpha, b.alpha) > EXACT_TERMS_LIMIT) return normalApproximation(a, b);
  if (b.alpha <= a.alpha) return betaBeats(a, b);
  return 1 - betaBeats(b, a);
}

interface BetaPosterior {
  alpha: number;
  beta: number;
}

/** P(X_b > X_a) = Σ_{i<α_b} B(α_a+i, β_a+β_b) / ((β_b+i) B(1+i, β_b) B(α_a, β_a)). */
function betaBeats(a: BetaPosterior, b: BetaPosterior): number {
  const constant = logBeta(a.alpha, a.beta);
  let total = 0;
  for (let i = 0; i < b.alpha; i += 1) {
    total += Math.exp(logBeta(a.alpha + i, a.beta + b.beta) - Math.log(b.beta + i) - logBeta(1 + i, b.beta) - constant);
  }
  return Math.min(1, Math.max(0, total));
}

function normalApproximation(a: BetaPosterior, b: BetaPosterior): number {
  const moments = ({ alpha, beta }: BetaPosterior) => {
    const mean = alpha / (alpha + beta);
    return { mean, variance: (alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)) };
  };
  const ma = moments(a);
  const mb = moments(b);
  const z = (mb.mean - ma.mean) / Math.sqrt(ma.variance + mb.variance);
  return 1 - 0.5 * erfc(z / Math.SQRT2);
}

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** The split differs from the weights beyond chance (p < 0.001): the counts are not to be trusted. */
  mismatch: boolean;
}

/** The threshold experimentation platforms commonly use for a sample-ratio mismatch. */
export const SRM_THRESHOLD = 0.001;

/** Chi-square goodness of fit of the visitors per arm against the arm weights; null without visitors. */
export function sampleRatioCheck(visitors: readonly number[], weights: readonly number[]): SampleRatioCheck | null {
  const total = visitors.reduce((sum, count) => sum + count, 0);
  const weightTotal = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0 || visitors.length < 2 || weightTotal <= 0) return null;
  let chiSquare = 0;
  visitors.forEach((observed, index) => {
    const expected = (total * weights[index]) / weightTotal;
    chiSquare += expected > 0 ? (observed - expected) ** 2 / expected : 0;
  });
  const degreesOfFreedom = visitors.length - 1;
  const pValue = upperRegularizedGamma(degreesOfFreedom / 2, chiSquare / 2);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < SRM_THRESHOLD };
}
