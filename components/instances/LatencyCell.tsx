import { memo, useMemo } from 'react';
import { WINDOWS, type InstanceLatency, type LatencyWindow } from '@/lib/model/latency';
import { TRAFFIC_WINDOW_SECONDS } from '@/lib/model/status/combine';
import { instanceRecentTraffic } from '@/lib/model/status/recent-traffic';
import { formatMs, WINDOW_PHRASES } from '../charts/format';
import { sparklineData } from '../charts/series';
import { Sparkline } from '../charts/Sparkline';

const BUCKETS = 45;

const formatPercent = (rate: number): string => `${rate < 0.1 ? (rate * 100).toFixed(1) : Math.round(rate * 100)} %`;

const WHAT = { inbound: 'Inbound p99 latency', probe: 'Probe latency' } as const;

/** Errors first when there are any (what a narrow cell must not cut), then the p95; "no errors" only when nothing else is said. */
function recentFigures(errorRate: number | null, p95Ms: number | null): string {
  const figures = [errorRate !== null && errorRate > 0 ? `${formatPercent(errorRate)} errors` : '', p95Ms !== null ? `p95 ${formatMs(p95Ms)}` : ''].filter(Boolean);
  return figures.length > 0 ? figures.join(' · ') : 'no errors';
}

/**
 * Inbound p99 of the instance over the window (probe latency when no caller reports it), its latest
 * value, and what its status weighs: the last 30 s of calls. Each figure names its window: a bare
 * "p99 74 ms" over "p95 246 ms" read as a p99 below its p95. A lost instance shows no recent calls:
 * calls to a dead process are not reported, so "no errors" beside it was false comfort.
 */
export const LatencyCell = memo(function LatencyCell({ latency, window, lost = false }: { latency: InstanceLatency | undefined; window: LatencyWindow; lost?: boolean }) {
  const data = useMemo(() => sparklineData(latency, BUCKETS), [latency]);
  const recent = useMemo(() => (latency && !lost ? instanceRecentTraffic(latency, TRAFFIC_WINDOW_SECONDS, WINDOWS[window].stepSeconds) : null), [latency, window, lost]);
  if (data.kind === 'none') {
    return (
      <span className="muted" title={latency ? `No latency data in ${WINDOW_PHRASES[window]}` : 'Loading latency…'}>
        —
      </span>
    );
  }
  const latest = data.latest === null ? 'none' : formatMs(data.latest);
  const recentText = recent && recent.calls > 0 ? recentFigures(recent.errorRate, recent.p95Ms) : null;
  const label = `${WHAT[data.kind]} over ${WINDOW_PHRASES[window]}, latest ${latest}`;
  return (
    // Probe-based lines are dashed: nobody reports calls to this instance, Switchyard measured it.
    <span className="latency-cell" data-kind={data.kind}>
      <Sparkline values={data.values} label={label} />
      {/* Named: a bare "985 ms" beside "p95 238 ms" read as two answers to one question. */}
      <span className="latency-cell__value" aria-hidden="true" title={`The latest value of the line: ${label}`}>
        {data.kind === 'inbound' ? `p99 ${latest}` : `probe ${latest}`}
      </span>
      {recentText !== null && (
        <span
          className="latency-cell__recent"
          title={`Reported calls to this instance over the last ${TRAFFIC_WINDOW_SECONDS} s: ${recentText}. What its status weighs (a slow service's status names the p95 of all its calls).`}
        >
          {`${TRAFFIC_WINDOW_SECONDS} s: ${recentText}`}
        </span>
      )}
    </span>
  );
});
