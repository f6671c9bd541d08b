/**
 * Each arm's conversion rate to date, day by day, with its 95% interval as a band (Recharts). The
 * rate to date rather than each day's own: it is what the verdict judges, and its band narrows as
 * visitors come in.
 */
import { Box, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { Area, CartesianGrid, ComposedChart, ErrorBar, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTheme } from 'styled-components';
import type { ArmResult, ExperimentResults } from '../api';
import { useT } from '../hooks/useT';
import type { ArmNames } from './ExperimentVerdict';

const PALETTE = ['neutral600', 'primary600', 'success600', 'warning600', 'alternative600', 'secondary600', 'danger600'] as const;

type Row = { day: string } & Record<string, number | [number, number] | string | null>;

/**
 * One row per day, in percent: `rate:<arm>`, `band:<arm>` as [low, high] for the band, and
 * `err:<arm>` as [below, above] the rate for the error bar (a single day has no band to draw).
 */
export function chartRows(results: ExperimentResults, goal: string): Row[] {
  return results.daily.map(({ day, arms }) => {
    const row: Row = { day };
    for (const arm of arms) {
      const figures = arm.cumulative.goals[goal];
      row[`rate:${arm.key}`] = figures?.rate == null ? null : figures.rate * 100;
      row[`band:${arm.key}`] = figures?.interval ? [figures.interval[0] * 100, figures.interval[1] * 100] : null;
      row[`err:${arm.key}`] =
        figures?.interval && figures.rate != null
          ? [(figures.rate - figures.interval[0]) * 100, (figures.interval[1] - figures.rate) * 100]
          : null;
    }
    return row;
  });
}

export const ExperimentChart = ({ results, goal, names }: { results: ExperimentResults; goal: string; names: ArmNames }) => {
  const t = useT();
  const { formatDate, formatNumber } = useIntl();
  const theme = useTheme() as unknown as { colors: Record<string, string> };
  const rows = chartRows(results, goal);
  const colorOf = (index: number) => theme.colors[PALETTE[index % PALETTE.length]];
  const percent = (value: number) => formatNumber(value / 100, { style: 'percent', maximumFractionDigits: 1 });
  const title = t('experiments.chart.title', 'Conversion rate to date for “{goal}”, with 95% interval', { goal });

  if (rows.length === 0) {
    return (
      <Typography variant="pi" textColor="neutral600">
        {t('experiments.chart.empty', 'The chart fills in once visitors are counted.')}
      </Typography>
    );
  }
  return (
    <Box tag="figure" margin={0} data-testid="experiment-chart">
      <Typography variant="sigma" textColor="neutral600" tag="figcaption">
        {title}
      </Typography>
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={rows} margin={{ top: 16, right: 24, bottom: 8, left: 8 }} accessibilityLayer>
          <CartesianGrid stroke={theme.colors.neutral200} strokeDasharray="3 3" />
          <XAxis dataKey="day" tickFormatter={(day: string) => formatDate(`${day}T00:00:00Z`, { month: 'short', day: 'numeric', timeZone: 'UTC' })} />
          <YAxis tickFormatter={(value: number) => percent(value)} width={56} />
          <Tooltip
            formatter={(value: unknown) =>
              Array.isArray(value) ? `${percent(value[0])} – ${percent(value[1])}` : typeof value === 'number' ? percent(value) : String(value)
            }
            labelFormatter={(day: unknown) => formatDate(`${String(day)}T00:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' })}
          />
          <Legend />
          {results.arms.map((arm: ArmResult, index) => (
            <Area
              key={`band:${arm.key}`}
              type="monotone"
              dataKey={`band:${arm.key}`}
              name={t('experiments.chart.band', '{arm}: 95% interval', { arm: names.subject(arm) })}
              stroke="none"
              fill={colorOf(index)}
              fillOpacity={0.15}
              legendType="none"
              isAnimationActive={false}
              connectNulls
            />
          ))}
          {results.arms.map((arm: ArmResult, index) => (
            <Line
              key={`rate:${arm.key}`}
              type="monotone"
              dataKey={`rate:${arm.key}`}
              name={names.subject(arm)}
              stroke={colorOf(index)}
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
              connectNulls
            >
              <ErrorBar dataKey={`err:${arm.key}`} direction="y" width={6} stroke={colorOf(index)} isAnimationActive={false} />
            </Line>
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </Box>
  );
};
