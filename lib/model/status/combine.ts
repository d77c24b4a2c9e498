import type { CauseKind, Status } from '../instance';

/** Traffic thresholds (per service in SWITCHYARD_HEALTH_OVERRIDES). */
export interface TrafficThresholds {
  /** Share of reported calls failing over the window that makes it `warning`. */
  errorWarnRate: number;
  /** …and `critical`. */
  errorCriticalRate: number;
  /** Fewer calls than this in the window give no error warning, fewer than half of it no critical (3 failures of 4 calls are noise, not an outage). */
  minCalls: number;
  /** p95 over this many times the service's usual p95 (its 1 h median) makes it `warning`… */
  latencyFactor: number;
  /** …when it is also at least this many ms over the usual (a 5 ms service at 16 ms is jitter, not news)… */
  latencyMinExcessMs: number;
  /** …over at least this many calls in the window (the p95 of a few calls is their slowest one). */
  latencyMinCalls: number;
}

export const DEFAULT_TRAFFIC_THRESHOLDS: TrafficThresholds = {
  errorWarnRate: 0.05,
  errorCriticalRate: 0.25,
  minCalls: 20,
  latencyFactor: 3,
  latencyMinExcessMs: 50,
  latencyMinCalls: 50,
};

/** What the latency rule needs of the thresholds. */
export type LatencyThresholds = Pick<TrafficThresholds, 'latencyFactor' | 'latencyMinExcessMs' | 'latencyMinCalls'>;

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
  /** Which signal this is: the cause's category, so nobody parses the sentence. */
  kind: CauseKind;
}

const percent = (rate: number): string => `${rate < 0.1 && rate > 0 ? (rate * 100).toFixed(1) : Math.round(rate * 100)} %`;

/**
 * "error rate 43 % over 30 s (threshold 25 %)". Where the usual rounding would show the rate equal
 * to its threshold though they differ ("5.0 % (threshold 5.0 %)" for 5.03 %, read as no breach),
 * the rate gets the decimals, up to 3, that tell them apart; a rate at its threshold breaches (at or
 * over, README) and says so: "(threshold 5.0 % reached)".
 */
export function errorRateCause(rate: number, over: string, threshold: number): string {
  const thresholdText = percent(threshold);
  let shown = percent(rate);
  for (let decimals = 1; decimals <= 3 && shown === thresholdText; decimals += 1) {
    const digits = (rate * 100).toFixed(decimals);
    if (digits !== (threshold * 100).toFixed(decimals)) shown = `${digits} %`;
  }
  const reached = shown === thresholdText && rate >= threshold;
  return `error rate ${shown} over ${over} (threshold ${thresholdText}${reached ? ' reached' : ''})`;
}
const ms = (value: number): string => (value >= 1_000 ? `${(value / 1_000).toFixed(1)} s` : `${Math.round(value)} ms`);
const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/**
 * A critical error rate is judged from half of `minCalls`: 3 failures in 10 calls are no accident
 * at a healthy service's error rate, and an instance taking under a call a second (each of three
 * behind one gateway) needed 24 s to reach 20 calls, so a 60 % burst showed half a minute late.
 * A warning still needs `minCalls`: one failure in 10 calls is 10 %, and happens by chance.
 */
const criticalMinCalls = (thresholds: TrafficThresholds): number => Math.ceil(thresholds.minCalls / 2);

/** The last RECOVERY_SECONDS of calls are enough of them and under the warning rate: whatever failed before is over. */
export function cleanAgain(latest: { calls: number; errors: number }, thresholds: Pick<TrafficThresholds, 'minCalls' | 'errorWarnRate'>): boolean {
  return latest.calls >= thresholds.minCalls / 3 && latest.errors / latest.calls < thresholds.errorWarnRate;
}

/**
 * The error rate's verdict, or null when it says nothing (too few calls, under the thresholds,
 * clean again in the last 10 s, or — for a verdict not already held — no failure in the last
 * 10 s). `held` is the verdict the instance holds now: too few calls to judge it failing afresh
 * are too few to clear it either, so a verdict stays at its level while the window's calls still
 * fail at that level's rate. An instance taking a call every few seconds otherwise went critical,
 * passing, critical every 5 s through a steady outage, as its 30 s window held 9, then 10, then 9
 * calls.
 */
export function errorVerdict(signal: Omit<TrafficSignal, 'p95Ms' | 'baselineP95Ms'>, thresholds: TrafficThresholds, held: Verdict | null = null): Verdict | null {
  if (signal.calls === 0 || (signal.latest !== undefined && cleanAgain(signal.latest, thresholds))) return null;
  const rate = signal.errors / signal.calls;
  // Errors that stopped before the last 10 s raise nothing new: what the window still remembers of
  // them is not news. Judged afresh, a verdict just ended by clean calls came back as a warning 10 s
  // after the fix, once the last 10 s held too few calls to count as clean.
  const windowCounts = signal.latest === undefined || signal.latest.errors > 0 || held?.kind === 'error_rate';
  const levels = [
    { status: 'critical', threshold: thresholds.errorCriticalRate, minCalls: criticalMinCalls(thresholds) },
    { status: 'warning', threshold: thresholds.errorWarnRate, minCalls: thresholds.minCalls },
  ] as const;
  for (const { status, threshold, minCalls } of levels) {
    if (rate < threshold) continue;
    if ((windowCounts && signal.calls >= minCalls) || (held?.kind === 'error_rate' && held.status === status)) {
      return { status, cause: errorRateCause(rate, `${signal.windowSeconds} s`, threshold), kind: 'error_rate' };
    }
  }
  return null;
}

/**
 * A held latency verdict ends only once p95 is back under halfway from the usual to the warning
 * factor (3× → 2×). Without it, a p95 hovering at the factor — or an instance's window holding 49,
 * then 52, then 48 calls — went warning, passing, warning every 5 s through one slow spell, each
 * flip a history event saying "probe OK".
 */
const latencyClearFactor = (warningFactor: number): number => 1 + (warningFactor - 1) / 2;

/**
 * The latency's verdict against the usual p95, or null (too few calls, no baseline yet, not slow
 * enough). `held` is the verdict the instance holds now: a latency verdict stays while p95 is
 * over `latencyClearFactor`, on as few as a tenth of `latencyMinCalls` (too few to judge it slow
 * afresh are too few to clear it either; under 5, the p95 is one call). It ends once the slow calls
 * leave the 30 s window: a last-10-s early end, as errors have, turned a spell of slow bursts
 * (10 s slow, 10 s fast) into a flip every tick.
 */
export function latencyVerdict(signal: Pick<TrafficSignal, 'calls' | 'p95Ms' | 'baselineP95Ms'>, thresholds: LatencyThresholds, held: Verdict | null = null): Verdict | null {
  const { p95Ms, baselineP95Ms } = signal;
  if (p95Ms === null || baselineP95Ms === null) return null;
  const holding = held?.kind === 'latency';
  if (signal.calls < (holding ? Math.ceil(thresholds.latencyMinCalls / 10) : thresholds.latencyMinCalls)) return null;
  const cause = slowCause(p95Ms, baselineP95Ms, holding ? { ...thresholds, latencyFactor: latencyClearFactor(thresholds.latencyFactor) } : thresholds);
  return cause ? { status: 'warning', cause, kind: 'latency' } : null;
}

/** The traffic's own verdict (errors first, then latency), or null when the traffic says nothing. */
export function trafficVerdict(signal: TrafficSignal, thresholds: TrafficThresholds): Verdict | null {
  return errorVerdict(signal, thresholds) ?? latencyVerdict(signal, thresholds);
}

/**
 * "p95 180 ms, 9× its usual 20 ms" when `p95Ms` is over `latencyFactor` × `baselineP95Ms` AND at
 * least `latencyMinExcessMs` over it; else null. Services and map edges say it alike.
 */
export function slowCause(p95Ms: number, baselineP95Ms: number, thresholds: Pick<LatencyThresholds, 'latencyFactor' | 'latencyMinExcessMs'>): string | null {
  if (!(baselineP95Ms > 0) || !(p95Ms > thresholds.latencyFactor * baselineP95Ms) || !(p95Ms - baselineP95Ms >= thresholds.latencyMinExcessMs)) return null;
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
