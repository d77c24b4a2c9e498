import type { LastProbe, Lost } from '@/lib/model/instance';
import type { InstanceLatency, LatencyPoint } from '@/lib/model/latency';
import type { RecentTraffic } from '@/lib/model/status/recent-traffic';
import { formatAgo } from '@/lib/client/formatTime';
import { formatMs } from '../charts/format';
import { probeFailed } from '../charts/series';

/**
 * The one probe an instance row speaks of: the newest the browser knows. The live `lastProbe`
 * reaches browsers at once when its result changes, but only every 30 s while only its time does
 * (lib/server/health.ts, the bound on live deltas); the probe series (polled every 2 s in the 5 and
 * 15 minute windows) holds every probe, so where it is newer it is the row's probe. Its error text
 * comes from `lastProbe` alone (the series knows only that a probe failed). `latencyMs` is null for
 * a failed probe: how long it took to fail is not a latency.
 */
export interface RowProbe {
  /** When it ran (ms since the epoch; a series probe: the start of its 1 s slot). */
  at: number;
  ok: boolean;
  latencyMs: number | null;
  error?: string;
}

function fromLastProbe(probe: LastProbe): RowProbe {
  return { at: Date.parse(probe.at), ok: probe.ok, latencyMs: probe.ok ? probe.latencyMs : null, ...(!probe.ok && probe.error ? { error: probe.error } : {}) };
}

/** The newest probe in 1 s slots (minute slots date no single probe, so they give none). */
function fromSeries(points: readonly LatencyPoint[], stepSeconds: number): RowProbe | null {
  if (stepSeconds !== 1) return null;
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const point = points[i] as LatencyPoint;
    if (point.rps <= 0) continue;
    const failed = probeFailed(point);
    return { at: point.t, ok: !failed, latencyMs: failed ? null : point.p50Ms };
  }
  return null;
}

export function rowProbe(lastProbe: LastProbe | undefined, series: readonly LatencyPoint[] | undefined, stepSeconds: number): RowProbe | null {
  const live = lastProbe ? fromLastProbe(lastProbe) : null;
  const polled = series ? fromSeries(series, stepSeconds) : null;
  if (!polled) return live;
  // The same probe is in both: its slot starts at or before its `at`.
  if (live && live.at >= polled.at) return live;
  return !polled.ok && live && !live.ok && live.error ? { ...polled, error: live.error } : polled;
}

/**
 * True when the row's probe fails and the newest calls reported to the instance, made since its
 * probes began failing (the first failed slot after the last good one in `probe`; the row probe's
 * time without one), were answered, not every one failing: a hung health check on a process that
 * serves its calls (the demo's hang-health), not a dead one, whose callers report only failures.
 * Calls are reported seconds late, so an instance just turned critical is not yet one.
 */
export function answeredSinceProbeFailed(latency: Pick<InstanceLatency, 'inbound' | 'probe'> | undefined, probe: RowProbe | null): boolean {
  if (!latency || !probe || probe.ok) return false;
  let failingFrom = probe.at;
  for (let i = latency.probe.length - 1; i >= 0; i -= 1) {
    const point = latency.probe[i] as LatencyPoint;
    if (point.rps <= 0) continue;
    if (!probeFailed(point)) break;
    failingFrom = Math.min(failingFrom, point.t);
  }
  for (let i = latency.inbound.length - 1; i >= 0; i -= 1) {
    const point = latency.inbound[i] as LatencyPoint;
    if (point.rps <= 0) continue;
    return point.t >= failingFrom && point.errorRate !== null && point.errorRate < 1;
  }
  return false;
}

/**
 * The figure beside the latency sparkline. A failed probe says so instead of a time ("probe 2.9 ms"
 * beside "✕ connection refused" read as healthy), and so does a lost instance that no longer
 * answers: the line's last value is from before it died. Otherwise the inbound p99, or the row
 * probe's time (the Probe column shows its result and age, never a second time). An instance whose
 * calls are still answered since its probe failed (`answering`, `answeredSinceProbeFailed`) shows
 * its calls' p99: "✕ probe failed" there read as dead beside calls served without errors; the
 * Status and Probe columns say the probe failed.
 */
export function latencyFigure(kind: 'inbound' | 'probe', latest: number | null, probe: RowProbe | null, lost: Lost | undefined, answering = false): { text: string; failed: boolean } {
  if (probe && !probe.ok && !(kind === 'inbound' && answering)) return { text: 'probe failed', failed: true };
  if (lost && !lost.stillServing && !lost.checking) return { text: 'not answering', failed: true };
  if (kind === 'inbound') return { text: `p99 ${latest === null ? 'none' : formatMs(latest)}`, failed: false };
  const ms = probe?.latencyMs ?? latest;
  return { text: ms === null ? 'probe —' : `probe ${formatMs(ms)}`, failed: false };
}

const percent = (rate: number): string => `${rate < 0.1 ? (rate * 100).toFixed(1) : Math.round(rate * 100)} %`;

/**
 * The last 30 s of reported calls to an instance: "43 % errors · p95 180 ms", or null when there is
 * nothing honest to say. A lost instance says nothing: calls to a dead process are not reported, so
 * the window holds its last healthy seconds. An instance whose probe fails never says "no errors"
 * nor a lone p95 (those calls were answered before it failed); its error rate, when there is one,
 * still shows. `nameNoErrors`: say "no errors" beside the p95 (the map panel), else only when
 * nothing else is said (a narrow table cell).
 */
export function recentCallsText(recent: RecentTraffic | null, state: { lost: boolean; probeFailing: boolean }, nameNoErrors = false): string | null {
  if (!recent || recent.calls === 0 || state.lost) return null;
  const errors = recent.errorRate !== null && recent.errorRate > 0 ? `${percent(recent.errorRate)} errors` : null;
  const p95 = recent.p95Ms !== null ? `p95 ${formatMs(recent.p95Ms)}` : null;
  if (state.probeFailing) return errors === null ? null : [errors, p95].filter(Boolean).join(' · ');
  if (errors !== null) return [errors, p95].filter(Boolean).join(' · ');
  if (p95 === null) return 'no errors';
  return nameNoErrors ? `no errors · ${p95}` : p95;
}

/** The Probe column's result: "OK" or the error, and how long ago (no age before the clock is known, while hydrating). */
export function probeResultText(probe: RowProbe, now: number | null): { result: string; age: string | null } {
  return { result: probe.ok ? 'OK' : (probe.error ?? 'failed'), age: now === null ? null : formatAgo(probe.at, now) };
}
