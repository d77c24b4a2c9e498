'use client';

import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { InstanceLatency, LatencyWindow } from '@/lib/model/latency';
import { CHART_MARGIN, CHART_STYLE, CURSOR, GRID_PROPS, timeAxisProps, valueAxisProps } from './axes';
import { ChartCard } from './ChartCard';
import { isolatedDot } from './isolatedDot';
import type { LegendItem } from './ChartLegend';
import { ChartTooltip } from './ChartTooltip';
import { formatMs, formatMsTick, maxOf, niceScale, WINDOW_PHRASES } from './format';
import { failedKey, probeChartData } from './series';
import type { DotItemDotProps } from 'recharts';

/** More lines than this are a tangle; the worst ones are what an incident needs. */
export const MAX_PROBE_LINES = 8;

/** A failed probe: a ✕ on the time axis in its instance's colour (a failed probe has no latency to plot). */
function failedMark(color: string) {
  return function FailedMark({ cx, cy, index, value }: DotItemDotProps & { value?: unknown }) {
    if (typeof cx !== 'number' || typeof cy !== 'number' || typeof value !== 'number') return null;
    const r = 3.5;
    return (
      <path key={index} className="probe-failed-mark" d={`M${cx - r} ${cy - r}L${cx + r} ${cy + r}M${cx - r} ${cy + r}L${cx + r} ${cy - r}`} stroke={color} strokeWidth={2} fill="none" />
    );
  };
}

const shorten = (id: string): string => (id.length > 28 ? `${id.slice(0, 12)}…${id.slice(-12)}` : id);

interface Props {
  instances: readonly InstanceLatency[];
  stepSeconds: number;
  window: LatencyWindow;
  from: number;
  to: number;
}

/** Active probe latency, one line per instance (worst first, at most eight). */
export const ProbeLatencyChart = memo(function ProbeLatencyChart({ instances, stepSeconds, window, from, to }: Props) {
  const { lines, rows, total } = useMemo(() => probeChartData(instances, MAX_PROBE_LINES, stepSeconds), [instances, stepSeconds]);
  const legend: LegendItem[] = lines.map((line, i) => ({
    label: shorten(line.id),
    color: `var(--series-${i + 1})`,
    detail: line.failing ? 'failing' : line.latest === null ? undefined : formatMs(line.latest),
  }));
  const worst = lines[0];
  const summary = worst
    ? `${total} instances probed; slowest or failing first: ${lines.map((l) => `${l.id} ${l.failing ? 'failing' : l.latest === null ? 'no result' : formatMs(l.latest)}`).join(', ')}.`
    : 'No probe results in this window.';
  const anyFailed = rows.some((row) => lines.some((line) => row[failedKey(line.dataKey)] === 0));
  const notes = [
    anyFailed ? '✕ on the time axis: a failed probe (how long it took to fail is not a latency, so the line breaks there).' : '',
    total > lines.length ? `Showing ${lines.length} of ${total} instances: failing first, then slowest latest probe.` : '',
  ].filter(Boolean);
  const note = notes.length > 0 ? notes.join(' ') : undefined;
  const failedAt = (dataKey: string, row: unknown): boolean => typeof row === 'object' && row !== null && (row as Record<string, unknown>)[failedKey(dataKey)] === 0;
  if (total === 0) {
    return (
      <figure className="chart-card chart-card--empty" data-chart="probe" data-points={0}>
        <figcaption className="chart-card__header">
          <h3 className="chart-card__title">
            Probe latency by instance <span className="chart-card__unit">(ms)</span>
          </h3>
        </figcaption>
        <p className="chart-card__empty">No probe results in {WINDOW_PHRASES[window]} yet.</p>
      </figure>
    );
  }
  return (
    <ChartCard chart="probe" title="Probe latency by instance" unit="ms" legend={legend} legendBelow points={rows.filter((row) => lines.some((line) => typeof row[line.dataKey] === 'number')).length} summary={summary} note={note}>
      <LineChart responsive style={CHART_STYLE} data={rows} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        <XAxis {...timeAxisProps({ from, to }, window)} />
        <YAxis {...valueAxisProps(formatMsTick, niceScale(maxOf(rows.flatMap((row) => lines.map((line) => row[line.dataKey]))), 1))} />
        <Tooltip
          isAnimationActive={false}
          filterNull={false}
          cursor={CURSOR}
          content={({ active, payload }) => (
            <ChartTooltip active={active} payload={payload} window={window} format={formatMs} empty="no probe" emptyFor={(dataKey, row) => (failedAt(dataKey, row) ? 'failed' : undefined)} sortByValue />
          )}
        />
        {lines.map((line, i) => (
          <Line
            key={line.key}
            dataKey={line.dataKey}
            name={line.id}
            type="stepAfter"
            stroke={`var(--series-${i + 1})`}
            strokeWidth={1.5}
            dot={isolatedDot}
            activeDot={{ r: 3 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
        {lines.map((line, i) => (
          <Line
            key={`${line.key}\u0000failed`}
            dataKey={failedKey(line.dataKey)}
            name={`${line.id} failed`}
            stroke="none"
            dot={failedMark(`var(--series-${i + 1})`)}
            activeDot={false}
            legendType="none"
            tooltipType="none"
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartCard>
  );
});
