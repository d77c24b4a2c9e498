'use client';

import { memo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LatencyWindow } from '@/lib/model/latency';
import { CHART_MARGIN, CHART_STYLE, CURSOR, GRID_PROPS, timeAxisProps, valueAxisProps } from './axes';
import { arrivingArea } from './arrivingArea';
import { ChartCard } from './ChartCard';
import { isolatedDot } from './isolatedDot';
import { ChartTooltip } from './ChartTooltip';
import { formatPercent, formatPercentTick, maxOf, niceScale } from './format';
import { countValues, type ChartSeries } from './series';

/** A quiet error rate still gets an axis up to 1 %, so 0 % sits on the floor instead of mid-chart. */
const MIN_TOP = 0.01;

function summaryOf(series: ChartSeries): string {
  const latest = [...series.points].reverse().find((p) => p.errorRate !== null);
  const rate = latest?.errorRate;
  return rate === null || rate === undefined ? 'No calls in this window.' : `Latest: ${formatPercent(rate)} of calls failed.`;
}

/** Share of the calls the service received that failed; a gap where there were no calls. */
export const ErrorRateChart = memo(function ErrorRateChart({ series, window }: { series: ChartSeries; window: LatencyWindow }) {
  return (
    <ChartCard chart="errors" title="Error rate" unit="%" points={countValues(series.points.map((p) => p.errorRate))} summary={summaryOf(series)}>
      <LineChart responsive style={CHART_STYLE} data={series.points} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        {arrivingArea(series)}
        <XAxis {...timeAxisProps(series, window)} />
        <YAxis {...valueAxisProps(formatPercentTick, niceScale(Math.min(1, maxOf(series.points.map((p) => p.errorRate))), MIN_TOP))} />
        <Tooltip
          isAnimationActive={false}
          filterNull={false}
          cursor={CURSOR}
          content={({ active, payload }) => <ChartTooltip active={active} payload={payload} window={window} format={formatPercent} empty="no calls" />}
        />
        <Line
          dataKey="errorRate"
          name="errors"
          type="linear"
          stroke="var(--chart-errors)"
          strokeWidth={1.5}
          dot={isolatedDot}
          activeDot={{ r: 3 }}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartCard>
  );
});
