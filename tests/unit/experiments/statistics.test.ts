/**
 * The results' statistics against reference values computed elsewhere: SciPy 1.17.1 with NumPy 2.4.6
 * (Python 3), by the script below, run once; its output is pasted into the tables.
 *
 * ```python
 * import json
 * from scipy import stats, integrate, special
 *
 * def prob_beats(cc, nc, cv, nv):
 *     a = stats.beta(1 + cc, 1 + nc - cc)
 *     b = stats.beta(1 + cv, 1 + nv - cv)
 *     lo, hi = a.ppf(1e-13), a.isf(1e-13)
 *     value, _ = integrate.quad(lambda x: a.pdf(x) * b.sf(x), lo, hi, epsabs=1e-13, epsrel=1e-12, limit=500, points=[a.mean()])
 *     return value
 *
 * two = []
 * for (nc, cc), (nv, cv) in [((1000, 100), (1000, 120)), ((500, 25), (520, 40)), ((200, 0), (200, 3)),
 *                            ((50, 50), (60, 55)), ((10000, 1234), (10050, 1302)), ((30, 3), (30, 9)), ((40, 20), (40, 20))]:
 *     _, p, _, _ = stats.chi2_contingency([[cc, nc - cc], [cv, nv - cv]], correction=False)
 *     ci_c = stats.binomtest(cc, nc).proportion_ci(0.95, method='wilson')
 *     ci_v = stats.binomtest(cv, nv).proportion_ci(0.95, method='wilson')
 *     two.append([[cc, nc], [cv, nv], [ci_c.low, ci_c.high], [ci_v.low, ci_v.high], float(p), prob_beats(cc, nc, cv, nv)])
 * srm = []
 * for observed, weights in [([5000, 5000], [0.5, 0.5]), ([5100, 4900], [0.5, 0.5]), ([5300, 4700], [0.5, 0.5]),
 *                           ([2000, 3100, 4900], [0.2, 0.3, 0.5]), ([120, 80], [0.6, 0.4]), ([821, 779, 830, 570], [0.25] * 4)]:
 *     total = sum(observed)
 *     result = stats.chisquare(observed, f_exp=[total * w for w in weights])
 *     srm.append([observed, weights, float(result.statistic), float(result.pvalue)])
 * erfc = [[x, float(special.erfc(x))] for x in [0, 0.1, 0.5, 1, 1.5, 2.5, 2.99, 3, 3.5, 5, 8]]
 * print(json.dumps({'twoArms': two, 'srm': srm, 'erfc': erfc}))
 * ```
 */
import {
  erfc,
  probabilityToBeatControl,
  relativeUplift,
  sampleRatioCheck,
  twoProportionTest,
  wilsonInterval,
} from '../../../server/src/core/experiments';

/** [[control conversions, visitors], [variant conversions, visitors], Wilson control, Wilson variant, p-value, P(variant > control)] */
type TwoArms = [[number, number], [number, number], [number, number], [number, number], number, number];
const TWO_ARMS: TwoArms[] = [[[100, 1000], [120, 1000], [0.08290944359309571, 0.1201519631953484], [0.10129926060130914, 0.14160907584771276], 0.15291778186394195, 0.9231834389734603], [[25, 500], [40, 520], [0.034093745243849435, 0.0727681611715476], [0.0569967181213676, 0.10305449090176595], 0.07844875113723308, 0.9599830023131044], [[0, 200], [3, 200], [0.0, 0.018845326377266575], [0.00511423779325831, 0.04316572879269026], 0.08210818057380713, 0.9384339902123385], [[50, 50], [55, 60], [0.9286524008666412, 1.0], [0.8193105798166558, 0.9638795433982692], 0.03668277440246515, 0.023208990755834057], [[1234, 10000], [1302, 10050], [0.11709799034002367, 0.12999123723276995], [0.12312814615978165, 0.13625941923023313], 0.19005828635075164, 0.9049308038385758], [[3, 30], [9, 30], [0.034599888747334176, 0.2562108257918408], [0.16664748268243798, 0.47875787458714947], 0.052807511416113395, 0.9707139671384825], [[20, 40], [20, 40], [0.35199526933465386, 0.6480047306653461], [0.35199526933465386, 0.6480047306653461], 1.0, 0.4999999999999]];

/** [observed visitors per arm, weights, chi-square, p-value] */
const SRM: Array<[number[], number[], number, number]> = [[[5000, 5000], [0.5, 0.5], 0.0, 1.0], [[5100, 4900], [0.5, 0.5], 4.0, 0.04550026389635857], [[5300, 4700], [0.5, 0.5], 36.0, 1.9731752900753933e-09], [[2000, 3100, 4900], [0.2, 0.3, 0.5], 5.333333333333334, 0.0694834512228015], [[120, 80], [0.6, 0.4], 0.0, 1.0], [[821, 779, 830, 570], [0.25, 0.25, 0.25, 0.25], 59.576, 7.241461131996992e-13]];

const ERFC: Array<[number, number]> = [[0, 1.0], [0.1, 0.8875370839817152], [0.5, 0.4795001221869535], [1, 0.15729920705028516], [1.5, 0.03389485352468927], [2.5, 0.00040695201744495886], [2.99, 2.3525603080640205e-05], [3, 2.2090496998585445e-05], [3.5, 7.430983723414129e-07], [5, 1.5374597944280347e-12], [8, 1.1224297172982928e-29]];

describe('experiment statistics against SciPy', () => {
  it.each(ERFC)('erfc(%d) matches scipy.special.erfc to 1e-12 relative', (x, expected) => {
    expect(Math.abs(erfc(x) - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12 + 1e-300);
  });

  describe.each(TWO_ARMS)('control %j vs variant %j', (control, variant, wilsonControl, wilsonVariant, pValue, beats) => {
    const a = { conversions: control[0], visitors: control[1] };
    const b = { conversions: variant[0], visitors: variant[1] };

    it('gives each arm the Wilson 95% interval', () => {
      const [low, high] = wilsonInterval(a)!;
      expect(low).toBeCloseTo(wilsonControl[0], 12);
      expect(high).toBeCloseTo(wilsonControl[1], 12);
      const [vLow, vHigh] = wilsonInterval(b)!;
      expect(vLow).toBeCloseTo(wilsonVariant[0], 12);
      expect(vHigh).toBeCloseTo(wilsonVariant[1], 12);
    });

    it('gives the two-sided p-value of the pooled two-proportion test (= chi-square without correction)', () => {
      const result = twoProportionTest(a, b);
      if (a.conversions / a.visitors === b.conversions / b.visitors) expect(result!.pValue).toBeCloseTo(1, 12);
      else expect(result!.pValue).toBeCloseTo(pValue, 10);
    });

    it('gives the probability that the variant beats control under uniform Beta priors', () => {
      expect(probabilityToBeatControl(a, b)).toBeCloseTo(beats, 9);
    });

    it('gives the relative uplift over control', () => {
      const uplift = relativeUplift(a, b);
      if (a.conversions === 0) expect(uplift).toBeNull();
      else expect(uplift).toBeCloseTo((b.conversions / b.visitors - a.conversions / a.visitors) / (a.conversions / a.visitors), 12);
    });
  });

  it.each(SRM)('checks the sample ratio of %j against weights %j (chi-square %d)', (observed, weights, chiSquare, pValue) => {
    const check = sampleRatioCheck(observed, weights)!;
    expect(check.chiSquare).toBeCloseTo(chiSquare, 9);
    expect(check.degreesOfFreedom).toBe(observed.length - 1);
    expect(check.pValue).toBeCloseTo(pValue, 12);
    expect(Math.abs(check.pValue - pValue)).toBeLessThanOrEqual(pValue * 1e-8 + 1e-15);
    expect(check.mismatch).toBe(pValue < 0.001);
  });

  it('has no interval, test or sample-ratio check without visitors', () => {
    expect(wilsonInterval({ conversions: 0, visitors: 0 })).toBeNull();
    expect(twoProportionTest({ conversions: 0, visitors: 0 }, { conversions: 1, visitors: 10 })).toBeNull();
    expect(sampleRatioCheck([0, 0], [0.5, 0.5])).toBeNull();
  });
});
