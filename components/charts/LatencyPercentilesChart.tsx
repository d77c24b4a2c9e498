'use client';

import { memo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LatencyWindow } from '@/lib/model/latency';
import { CHART_MARGIN, CHART_STYLE, CURSOR, GRID_PROPS, timeAxisProps, valueAxisProps } from './axes';
import { arrivingArea } from './arrivingArea';
import { ChartCard } from './ChartCard';
import { isolatedDot } from './isolatedDot';
import type { LegendItem } from './ChartLegend';
import { ChartTooltip } from './ChartTooltip';
import { formatMs, formatMsTick, maxOf, niceScale } from './format';
import { countValues, type ChartSeries } from './series';

/** Each percentile has its own dash pattern, so the lines differ without colour too. */
const PERCENTILES = [
  { dataKey: 'p99Ms', label: 'p99', color: 'var(--chart-p99)', dash: undefined, width: 2 },
  { dataKey: 'p95Ms', label: 'p95', color: 'var(--chart-p95)', dash: '7 4', width: 1.5 },
  { dataKey: 'p50Ms', label: 'p50', color: 'var(--chart-p50)', dash: '2 3', width: 1.5 },
] as const;

const LEGEND: LegendItem[] = PERCENTILES.map(({ label, color, dash }) => ({ label, color, dash }));

function summaryOf(series: ChartSeries): string {
  const latest = [...series.points].reverse().find((p) => p.p99Ms !== null);
  if (!latest) return 'No latency reported in this window.';
  const part = (label: string, value: number | null) => `${label} ${value === null ? 'none' : formatMs(value)}`;
  return `Latest: ${part('p50', latest.p50Ms)}, ${part('p95', latest.p95Ms)}, ${part('p99', latest.p99Ms)}.`;
}

/** p50, p95 and p99 of the calls the service received, per slot, as its callers report them. */
export const LatencyPercentilesChart = memo(function LatencyPercentilesChart({ series, window }: { series: ChartSeries; window: LatencyWindow }) {
  return (
    <ChartCard chart="latency" title="Latency" unit="ms" legend={LEGEND} points={countValues(series.points.map((p) => p.p99Ms))} summary={summaryOf(series)}>
      <LineChart responsive style={CHART_STYLE} data={series.points} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        {arrivingArea(series)}
        <XAxis {...timeAxisProps(series, window)} />
        <YAxis {...valueAxisProps(formatMsTick, niceScale(maxOf(series.points.map((p) => p.p99Ms)), 1))} />
        <Tooltip
          isAnimationActive={false}
          filterNull={false}
          cursor={CURSOR}
          content={({ active, payload }) => <ChartTooltip active={active} payload={payload} window={window} format={formatMs} empty="no calls" />}
        />
        {PERCENTILES.map(({ dataKey, label, color, dash, width }) => (
          <Line
            key={dataKey}
            dataKey={dataKey}
            name={label}
            type="linear"
            stroke={color}
            strokeWidth={width}
            strokeDasharray={dash}
            dot={isolatedDot}
            activeDot={{ r: 3 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartCard>
  );
});
