import type { CSSProperties } from 'react';
import type { LatencyWindow } from '@/lib/model/latency';
import { formatTimeTick, timeTicks, type NiceScale } from './format';
import type { ChartSeries } from './series';

/** Every chart: full container width, fixed height, no animation. */
export const CHART_STYLE: CSSProperties = { width: '100%', height: 180 };
export const CHART_MARGIN = { top: 6, right: 12, bottom: 0, left: 0 };

const TICK = { fill: 'var(--chart-axis)', fontSize: 11 };

/** The time axis spans the whole window ending now, even where nothing is drawn. */
export function timeAxisProps(series: Pick<ChartSeries, 'from' | 'to'>, window: LatencyWindow) {
  return {
    dataKey: 't',
    type: 'number' as const,
    scale: 'time' as const,
    domain: [series.from, series.to],
    ticks: timeTicks(series.from, series.to, window),
    tickFormatter: formatTimeTick,
    allowDataOverflow: true,
    tick: TICK,
    tickLine: false,
    axisLine: { stroke: 'var(--chart-grid)' },
    minTickGap: 24,
  };
}

/** A value axis from 0 to a round top, with its gridlines on round numbers. */
export function valueAxisProps(tickFormatter: (value: number) => string, scale: NiceScale) {
  return {
    width: 58,
    tickFormatter,
    tick: TICK,
    tickLine: false,
    axisLine: false,
    domain: [0, scale.top],
    ticks: scale.ticks,
    interval: 0 as const,
  };
}

export const GRID_PROPS = { stroke: 'var(--chart-grid)', vertical: false } as const;
export const CURSOR = { stroke: 'var(--chart-cursor)', strokeWidth: 1 };
