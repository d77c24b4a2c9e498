'use client';

import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { LatencyWindow } from '@/lib/model/latency';
import { CHART_MARGIN, CHART_STYLE, CURSOR, GRID_PROPS, timeAxisProps, valueAxisProps } from './axes';
import { arrivingArea } from './arrivingArea';
import { ChartCard } from './ChartCard';
import { isolatedDot } from './isolatedDot';
import { ChartTooltip } from './ChartTooltip';
import { formatRps, formatRpsTick, maxOf, niceScale } from './format';
import type { ChartSeries } from './series';

function summaryOf(series: ChartSeries): string {
  const latest = series.points[series.points.length - 1];
  return latest ? `Latest: ${formatRps(latest.rps)}.` : 'No calls in this window.';
}

/** Calls per second the service received. */
export const RequestRateChart = memo(function RequestRateChart({ series, window }: { series: ChartSeries; window: LatencyWindow }) {
  return (
    <ChartCard chart="rps" title="Requests" unit="req/s" points={series.points.filter((p) => p.rps > 0).length} summary={summaryOf(series)}>
      <AreaChart responsive style={CHART_STYLE} data={series.points} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        {arrivingArea(series)}
        <XAxis {...timeAxisProps(series, window)} />
        <YAxis {...valueAxisProps(formatRpsTick, niceScale(maxOf(series.points.map((p) => p.rps)), 1))} />
        <Tooltip
          isAnimationActive={false}
          filterNull={false}
          cursor={CURSOR}
          content={({ active, payload }) => <ChartTooltip active={active} payload={payload} window={window} format={formatRps} empty="no calls" />}
        />
        <Area
          dataKey="rps"
          name="requests"
          type="linear"
          stroke="var(--chart-rps)"
          strokeWidth={1.5}
          fill="var(--chart-rps)"
          fillOpacity={0.14}
          dot={isolatedDot}
          activeDot={{ r: 3 }}
          connectNulls={false}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartCard>
  );
});
