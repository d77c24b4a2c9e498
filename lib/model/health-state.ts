import type { LastProbe, Status } from './instance';

/** One probe's outcome. `detail` carries the first bytes of a failing response, for history. */
export interface ProbeResult {
  at: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
  detail?: string;
  /** The probe policy refused the target (`error` says why): nothing was dialled, so nothing is known. */
  notProbed?: boolean;
}

export interface HealthThresholds {
  /** Consecutive successes before an instance counts as passing. */
  passAfter: number;
  /** Consecutive failures before it counts as critical. */
  failAfter: number;
  /** A successful probe slower than this makes the instance `warning`. */
  warnLatencyMs: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { passAfter: 2, failAfter: 3, warnLatencyMs: 1_000 };

export interface HealthState {
  status: Status;
  cause: string;
  since: string;
  okStreak: number;
  failStreak: number;
  /** While `failStreak` > 0: when its first failed probe ran (where a failure that turns critical began). */
  failStreakFrom?: string;
  lastProbe?: LastProbe;
}

export function initialHealth(at: string): HealthState {
  return { status: 'unknown', cause: 'not probed yet', since: at, okStreak: 0, failStreak: 0 };
}

const seconds = (ms: number): string => (ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** A probe's time over its threshold, never shown as equal to it ("1.0 s (threshold 1.0 s)" for 1,040 ms read as no breach): in milliseconds then. */
function slowerThan(ms: number, thresholdMs: number): string {
  if (seconds(ms) !== seconds(thresholdMs)) return seconds(ms);
  return Math.round(ms) > thresholdMs ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/**
 * Debounced health: a status changes only after `passAfter` successes or `failAfter` failures in a
 * row, so one lost packet does not page anyone and one lucky probe does not hide an outage. The
 * cause says what the last probe said meanwhile: "passing, probe OK" beside a refused connection
 * told an on-call engineer the opposite of the truth for the seconds before a crashed instance
 * turned critical.
 */
export function nextHealth(previous: HealthState, result: ProbeResult, thresholds: HealthThresholds): HealthState {
  // A target the policy refuses was not checked: it is neither failing nor passing (operators set
  // SWITCHYARD_PROBE_ALLOW_CIDRS to leave what they cannot reach alone, not to see it critical).
  if (result.notProbed) {
    return { status: 'unknown', cause: `not probed: ${result.error ?? 'refused by the probe policy'}`, since: previous.status === 'unknown' ? previous.since : result.at, okStreak: 0, failStreak: 0 };
  }
  const lastProbe: LastProbe = { at: result.at, ok: result.ok, latencyMs: result.latencyMs, ...(result.error ? { error: result.error } : {}) };
  const okStreak = result.ok ? previous.okStreak + 1 : 0;
  const failStreak = result.ok ? 0 : previous.failStreak + 1;
  let status = previous.status;
  let cause = previous.cause;
  const answering = previous.status === 'passing' || previous.status === 'warning';
  if (result.ok && (okStreak >= thresholds.passAfter || answering)) {
    const slow = result.latencyMs > thresholds.warnLatencyMs;
    status = slow ? 'warning' : 'passing';
    cause = slow ? `slow: answered in ${slowerThan(result.latencyMs, thresholds.warnLatencyMs)} (threshold ${seconds(thresholds.warnLatencyMs)})` : 'probe OK';
  } else if (!result.ok && failStreak >= thresholds.failAfter) {
    status = 'critical';
    cause = result.error ?? 'probe failed';
  } else if (result.ok) {
    // Unknown or critical, waiting for more successes: the cause says the last probe passed.
    cause = `probe OK; ${okStreak} of ${thresholds.passAfter} before passing`;
  } else if (previous.status === 'critical') {
    cause = result.error ?? 'probe failed';
  } else {
    // The status waits for more failures; its cause does not pretend the last probe passed.
    cause = `${result.error ?? 'probe failed'}; ${failStreak} of ${thresholds.failAfter} failed probes before critical`;
  }
  const since = status === previous.status ? previous.since : result.at;
  const failStreakFrom = result.ok ? undefined : failStreak > 1 ? (previous.failStreakFrom ?? result.at) : result.at;
  return { status, cause, since, okStreak, failStreak, ...(failStreakFrom !== undefined ? { failStreakFrom } : {}), lastProbe };
}
