/** What the experiment chart plots: each arm's rate to date per day, its band and its error bar, in percent. */
import type { DailyArm, ExperimentResults } from '../../admin/src/api';
import { chartRows } from '../../admin/src/components/ExperimentChart';

function day(key: string, rate: number | null, interval: [number, number] | null): DailyArm {
  const figures = { conversions: 0, converters: 0, rate, interval };
  return { key, exposures: 0, visitors: 0, goals: { signup: figures }, cumulative: { visitors: 0, goals: { signup: figures } } };
}

const results = {
  goals: ['signup'],
  daily: [
    { day: '2026-11-29', arms: [day('control', 0.1, [0.05, 0.2]), day('b', null, null)] },
    { day: '2026-11-30', arms: [day('control', 0.12, [0.08, 0.17]), day('b', 0.2, [0.1, 0.35])] },
  ],
} as unknown as ExperimentResults;

describe('chartRows', () => {
  it('gives one row per day with rate, band and error bar of each arm in percent', () => {
    const rows = chartRows(results, 'signup');
    expect(rows.map((row) => row.day)).toEqual(['2026-11-29', '2026-11-30']);
    expect(rows[1]['rate:b']).toBeCloseTo(20);
    expect(rows[1]['band:b']).toEqual([expect.closeTo(10), expect.closeTo(35)]);
    expect(rows[1]['err:b']).toEqual([expect.closeTo(10), expect.closeTo(15)]);
    expect(rows[0]['rate:control']).toBeCloseTo(10);
  });

  it('leaves a day without visitors empty rather than at 0%', () => {
    const [first] = chartRows(results, 'signup');
    expect(first['rate:b']).toBeNull();
    expect(first['band:b']).toBeNull();
    expect(first['err:b']).toBeNull();
  });

  it('has nothing for a goal the results do not hold', () => {
    expect(chartRows(results, 'purchase')[1]['rate:control']).toBeNull();
  });
});
