import type { InstanceLatency, LatencyPoint } from '../latency';

export interface RecentTraffic {
  calls: number;
  /** Failed share of those calls; null without calls. */
  errorRate: number | null;
  /** Call-weighted mean of the slots' p95; null without calls. */
  p95Ms: number | null;
}

/**
 * Calls reported over the last `seconds` of a series (ending at its last slot), as the status
 * judges them: what an instance row shows beside the status it explains.
 */
export function recentTraffic(points: readonly LatencyPoint[], seconds: number, stepSeconds: number): RecentTraffic {
  const last = points[points.length - 1];
  if (!last) return { calls: 0, errorRate: null, p95Ms: null };
  const from = last.t - Math.max(0, seconds - stepSeconds) * 1_000;
  let calls = 0;
  let errors = 0;
  let weighted = 0;
  let weight = 0;
  for (let index = points.length - 1; index >= 0; index -= 1) {
    const point = points[index] as LatencyPoint;
    if (point.t < from) break;
    const count = point.rps * stepSeconds;
    calls += count;
    errors += (point.errorRate ?? 0) * count;
    if (point.p95Ms !== null && count > 0) {
      weighted += point.p95Ms * count;
      weight += count;
    }
  }
  return { calls, errorRate: calls > 0 ? errors / calls : null, p95Ms: weight > 0 ? weighted / weight : null };
}

/**
 * An instance's last `seconds` of calls for its row: the server's figures, taken as its status
 * takes them (one p95 of all the calls), when it sent them; else read off the series.
 */
export function instanceRecentTraffic(latency: InstanceLatency, seconds: number, stepSeconds: number): RecentTraffic {
  const { recent } = latency;
  if (!recent) return recentTraffic(latency.inbound, seconds, stepSeconds);
  return { calls: recent.calls, errorRate: recent.calls > 0 ? recent.errors / recent.calls : null, p95Ms: recent.p95Ms };
}
