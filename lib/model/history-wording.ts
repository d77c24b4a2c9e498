import { cleanAgain, errorRateCause, RECOVERY_SECONDS, TRAFFIC_WINDOW_SECONDS, type TrafficThresholds } from './status/combine';

/** As the failing causes write a rate: "9.5 %", "60 %". */
const percent = (rate: number): string => `${rate < 0.1 && rate > 0 ? (rate * 100).toFixed(1) : Math.round(rate * 100)} %`;
const ms = (value: number): string => (value >= 1_000 ? `${(value / 1_000).toFixed(1)} s` : `${Math.round(value)} ms`);

/**
 * A lost instance's `instance.lost_cleared` detail when it registers again: "registered again as
 * a2 at 10.0.0.1:80", naming what is new only — an instance whose id is its address, or that came
 * back under the same id, is "registered again at 10.0.0.1:80" (not "as 127.0.0.1:38905 at 127.0.0.1:38905").
 */
export function registeredAgainDetail(lostId: string, again: { id: string; address: string }): string {
  return again.id === again.address || again.id === lostId ? `registered again at ${again.address}` : `registered again as ${again.id} at ${again.address}`;
}

const REGISTERED_AGAIN = 'registered again ';
const AS = 'as ';
const AT_ADDRESS = 'at ';
const AT = ' at ';
/** Longer details are no `registeredAgainDetail` of a registration Switchyard accepts (names are capped at 256 characters). */
const RETURN_DETAIL_MAX_CHARS = 1_024;

/**
 * For `instance.lost_cleared` rows written before they carried `returnedAs` (2026-12-06): the
 * instance `lostId` came back as, read from `registeredAgainDetail`'s words — the id of
 * "registered again as a2 at …"; for "registered again at X", `lostId` itself when X is it (an id
 * that is its address). Bounded, because ids and addresses are the fleet's data: a detail in which
 * " at " occurs more than once after "as " (an id or an address containing it) says no id for
 * sure, and neither does an overlong one, nor "at X" for another X (it came back under its own id
 * at X, or under the id X: the words do not say which): undefined, as for any other detail
 * (dismissed, retention over), so the loss ends at that row rather than under an id that never
 * passes. New rows are never parsed.
 */
export function returnedAsInDetail(detail: string, lostId: string): string | undefined {
  if (detail.length > RETURN_DETAIL_MAX_CHARS || !detail.startsWith(REGISTERED_AGAIN)) return undefined;
  const rest = detail.slice(REGISTERED_AGAIN.length);
  if (rest.startsWith(AT_ADDRESS)) return rest.slice(AT_ADDRESS.length) === lostId ? lostId : undefined;
  if (!rest.startsWith(AS)) return undefined;
  const at = rest.indexOf(AT, AS.length);
  if (at <= AS.length || rest.indexOf(AT, at + 1) !== -1) return undefined;
  return rest.slice(AS.length, at);
}

/** Calls to one instance over the 30 s window, and over its last 10 s. */
export interface CallsSeen {
  calls: number;
  errors: number;
  latest?: { calls: number; errors: number };
}

/**
 * Why an error-rate verdict ended, for the recovery's history row (its cause would otherwise be
 * the probe's "probe OK", for an instance whose probes never failed): the last 10 s clean, the
 * window under the warning rate, no calls at all, or too few to judge.
 */
export function errorRecoveryCause(seen: CallsSeen, thresholds: Pick<TrafficThresholds, 'minCalls' | 'errorWarnRate'>): string {
  if (seen.calls === 0) return `no calls reported in the last ${TRAFFIC_WINDOW_SECONDS} s`;
  if (seen.latest !== undefined && seen.latest.calls > 0 && cleanAgain(seen.latest, thresholds)) {
    return errorRateCause(seen.latest.errors / seen.latest.calls, `the last ${RECOVERY_SECONDS} s`, thresholds.errorWarnRate);
  }
  const rate = seen.errors / seen.calls;
  if (rate < thresholds.errorWarnRate) return errorRateCause(rate, `${TRAFFIC_WINDOW_SECONDS} s`, thresholds.errorWarnRate);
  return `error rate ${percent(rate)} over ${TRAFFIC_WINDOW_SECONDS} s, on too few calls to judge (${Math.round(seen.calls)}; ${thresholds.minCalls} needed)`;
}

/** Why a latency verdict ended: p95 back near its usual, or too few calls (or no usual) to judge it. */
export function latencyRecoveryCause(seen: { calls: number; p95Ms: number | null; baselineP95Ms: number | null }): string {
  if (seen.calls === 0 || seen.p95Ms === null) return `no calls reported in the last ${TRAFFIC_WINDOW_SECONDS} s`;
  if (seen.baselineP95Ms === null || !(seen.baselineP95Ms > 0)) return `p95 ${ms(seen.p95Ms)} over ${TRAFFIC_WINDOW_SECONDS} s (no usual p95 to compare with)`;
  const times = seen.p95Ms / seen.baselineP95Ms;
  const factor = `${times >= 10 ? Math.round(times) : times.toFixed(1).replace(/\.0$/, '')}×`;
  return `p95 ${ms(seen.p95Ms)} over ${TRAFFIC_WINDOW_SECONDS} s, ${factor} its usual ${ms(seen.baselineP95Ms)}`;
}
