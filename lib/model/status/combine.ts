import type { Status } from '../instance';

/** Traffic thresholds (per service in SWITCHYARD_HEALTH_OVERRIDES). */
export interface TrafficThresholds {
  /** Share of reported calls failing over the window that makes it `warning`. */
  errorWarnRate: number;
  /** …and `critical`. */
  errorCriticalRate: number;
  /** Fewer calls than this in the window say nothing (3 failures of 4 calls are noise, not an outage). */
  minCalls: number;
  /** p95 over this many times the service's usual p95 (its 1 h median) makes it `warning`. */
  latencyFactor: number;
}

export const DEFAULT_TRAFFIC_THRESHOLDS: TrafficThresholds = { errorWarnRate: 0.05, errorCriticalRate: 0.25, minCalls: 20, latencyFactor: 3 };

/** The window error rates are judged over (seconds). */
export const TRAFFIC_WINDOW_SECONDS = 30;

/** What reported calls say about an instance or a service over the last `windowSeconds`. */
export interface TrafficSignal {
  calls: number;
  errors: number;
  windowSeconds: number;
  /** p95 latency over the window; null without calls. */
  p95Ms: number | null;
  /** The service's usual p95: the median of its per-minute p95 over the last hour; null when unknown. */
  baselineP95Ms: number | null;
  /** The last RECOVERY_SECONDS of the same calls: clean enough, and the error verdict is over. */
  latest?: { calls: number; errors: number };
}

/** Calls this recent decide whether errors are still happening: a fault clears within seconds of recovery, not when it leaves the 30 s window. */
export const RECOVERY_SECONDS = 10;

export interface Verdict {
  status: Status;
  cause: string;
}

const percent = (rate: number): string => `${rate < 0.1 && rate > 0 ? (rate * 100).toFixed(1) : Math.round(rate * 100)} %`;
const ms = (value: number): string => (value >= 1_000 ? `${(value / 1_000).toFixed(1)} s` : `${Math.round(value)} ms`);
const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/** The traffic's own verdict, or null when the traffic says nothing (too few calls, all well). */
export function trafficVerdict(signal: TrafficSignal, thresholds: TrafficThresholds): Verdict | null {
  const { latest } = signal;
  const recovered = latest !== undefined && latest.calls >= thresholds.minCalls / 3 && latest.errors / latest.calls < thresholds.errorWarnRate;
  if (signal.calls >= thresholds.minCalls && !recovered) {
    const rate = signal.errors / signal.calls;
    if (rate >= thresholds.errorCriticalRate) return { status: 'critical', cause: `error rate ${percent(rate)} over ${signal.windowSeconds} s (threshold ${percent(thresholds.errorCriticalRate)})` };
    if (rate >= thresholds.errorWarnRate) return { status: 'warning', cause: `error rate ${percent(rate)} over ${signal.windowSeconds} s (threshold ${percent(thresholds.errorWarnRate)})` };
  }
  const { p95Ms, baselineP95Ms } = signal;
  if (signal.calls >= thresholds.minCalls && p95Ms !== null && baselineP95Ms !== null) {
    const cause = slowCause(p95Ms, baselineP95Ms, thresholds.latencyFactor);
    if (cause) return { status: 'warning', cause };
  }
  return null;
}

/** "p95 180 ms, 9× its usual 20 ms" when `p95Ms` is over `factor` × `baselineP95Ms`; else null. Services and map edges say it alike. */
export function slowCause(p95Ms: number, baselineP95Ms: number, factor: number): string | null {
  if (!(baselineP95Ms > 0) || !(p95Ms > factor * baselineP95Ms)) return null;
  const times = p95Ms / baselineP95Ms;
  return `p95 ${ms(p95Ms)}, ${times >= 10 ? Math.round(times) : times.toFixed(1).replace(/\.0$/, '')}× its usual ${ms(baselineP95Ms)}`;
}

/**
 * One status from every signal: the probe's verdict and the traffic's; the worse wins and its
 * cause is the cause (the probe's on a tie: it is the first-hand one). An `unknown` probe with
 * failing traffic is the traffic's verdict: calls failing is news whatever the probe has not said yet.
 */
export function combineStatus(probe: Verdict, traffic: Verdict | null): Verdict {
  if (!traffic) return probe;
  return severity[traffic.status] > severity[probe.status] ? traffic : probe;
}
