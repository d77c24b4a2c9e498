import { rollUpStatus } from '../health';
import type { Instance, Status } from '../instance';
import { utcClock } from './clock';
import { lossInRegisteredAgain, lostDownSince, REGISTERED_AGAIN, STAND_IN_WORDS } from './lost';

export interface ServiceStatus {
  status: Status;
  /** Absent when every instance in rotation passes. */
  cause?: string;
}

const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };
const atLeast = (status: Status, floor: Status): Status => (severity[status] >= severity[floor] ? status : floor);

/** "its only instance", "all 3 instances", "1 of 3 instances". */
function howMany(count: number, total: number): string {
  if (count < total) return `${count} of ${total} instances`;
  return total === 1 ? 'its only instance' : `all ${total} instances`;
}

/** Back in etcd after its loss, held critical until its probes rule (lost/tracker.ts): not seen failing. */
const registeredAgain = (instance: Instance): boolean => instance.status === 'critical' && instance.statusCauseKind === 'lost';

/** "orders-1: HTTP 503"; for one registered again, "payments-1 lost: …", its state being said already. */
function instanceWhy(instance: Instance, cause: string): string {
  const loss = registeredAgain(instance) ? lossInRegisteredAgain(cause) : undefined;
  return loss !== undefined ? `${instance.id} ${loss}` : `${instance.id}: ${cause}`;
}

/**
 * The probe-only part: live (not lost) instances rolled up. Its cause is flat clauses — how many in
 * which state — the first such instance's cause — counted of `total` (default: those considered)
 * when it follows what became of lost ones.
 */
function liveStatus(live: readonly Instance[], total?: number): ServiceStatus {
  const status = rollUpStatus(live);
  const inRotation = live.filter((instance) => instance.drain === null);
  const considered = inRotation.length > 0 ? inRotation : live;
  const of = total ?? considered.length;
  if (status === 'critical' || status === 'warning') {
    const back = considered.filter(registeredAgain);
    const failing = considered.filter((instance) => instance.status === 'critical' && !registeredAgain(instance));
    const slow = considered.filter((instance) => instance.status === 'warning');
    const first = failing[0] ?? back[0] ?? slow[0];
    // One cause shared by every instance (its service's membership) is the service's cause as it stands.
    if (status === 'warning' && failing.length === 0 && back.length === 0 && slow.length === considered.length && first?.statusCause && slow.every((instance) => instance.statusCause === first.statusCause)) {
      return { status, cause: first.statusCause };
    }
    const states: [readonly Instance[], string][] = [
      [failing, 'failing'],
      [back, REGISTERED_AGAIN],
      [slow, 'degraded'],
    ];
    const what = states.flatMap(([instances, state]) => (instances.length > 0 ? [`${howMany(instances.length, of)} ${state}`] : [])).join(', ');
    return { status, cause: first?.statusCause ? `${what} — ${instanceWhy(first, first.statusCause)}` : what };
  }
  if (status === 'unknown') {
    if (considered.length === 0) return { status, cause: 'no instances registered' };
    // Probed, but not to a verdict yet (a first refused connection, one answer of the two needed).
    const probed = considered.find((instance) => instance.status === 'unknown' && instance.lastProbe !== undefined && instance.statusCause);
    return { status, cause: probed?.statusCause ? `no verdict yet — ${instanceWhy(probed, probed.statusCause)}` : 'not probed yet' };
  }
  return { status };
}

/**
 * What became of lost instances, since when, in a cause (`STAND_IN_WORDS`): `lost` for processes gone (they need a
 * restart), `out of discovery` for processes still serving whose registration went
 * (`lost.stillServing`: they need their etcd connection fixed), and both counted when both happened
 * ("missing since 09:32:31 UTC, 2 lost and 1 out of discovery"; without `since` for InstancesLost's
 * summary). The same word for the two sent an on-call engineer to restart a process that was running fine.
 */
export function lostState(lost: readonly Pick<Instance, 'lost'>[], since?: string): string {
  const serving = lost.filter((instance) => instance.lost?.stillServing === true).length;
  const from = since !== undefined ? ` since ${since}` : '';
  if (serving === 0) return `${STAND_IN_WORDS.lost}${from}`;
  if (serving === lost.length) return `${STAND_IN_WORDS.unlisted}${from}`;
  return `missing${from}, ${lost.length - serving} ${STAND_IN_WORDS.lost} and ${serving} ${STAND_IN_WORDS.unlisted}`;
}

/** Every instance listed is a departure still being checked (`lost.checking`): unknown, saying so. */
function checkingStatus(checking: readonly Instance[]): ServiceStatus {
  const first = checking.reduce((a, b) => ((a.lost?.at ?? '') <= (b.lost?.at ?? '') ? a : b));
  const what = checking.length === 1 ? 'its only instance' : `all ${checking.length} instances`;
  const they = checking.length === 1 ? 'it still serves' : 'they still serve';
  return { status: 'unknown', cause: `${what} left discovery at ${utcClock(first.lost?.at ?? '')} while passing — checking whether ${they}` };
}

/**
 * A service's status and its cause from its instances, lost ones included (DESIGN §6): every
 * instance lost → critical; some lost → at least warning; once as many instances pass as it had in
 * rotation before the loss (replacements, a rolling restart), lost instances stay listed but no
 * longer count. Departures still being checked (`lost.checking`) count for nothing but themselves.
 */
export function serviceStatus(instances: readonly Instance[]): ServiceStatus {
  const ruledOn = instances.filter((instance) => instance.lost?.checking !== true);
  // Departures still being checked decide nothing while anything else is listed; alone, they are
  // unknown, not lost: the check may find a graceful shutdown, and a verdict must not come early.
  if (ruledOn.length < instances.length) return ruledOn.length > 0 ? serviceStatus(ruledOn) : checkingStatus(instances);
  const lost = instances.filter((instance) => instance.lost !== undefined);
  const live = instances.filter((instance) => instance.lost === undefined);
  if (lost.length === 0) return liveStatus(live);
  const expected = Math.max(...lost.map((instance) => instance.lost?.passingBefore ?? 0));
  const passingNow = live.filter((instance) => instance.drain === null && instance.status === 'passing').length;
  if (passingNow >= expected && live.length > 0) return liveStatus(live);
  // Since the first of them went down (its verdict, as its alerts start); its cause names the first failed probe.
  const earliest = lost.reduce((a, b) => ((lostDownSince(a) ?? '') <= (lostDownSince(b) ?? '') ? a : b));
  const since = utcClock(lostDownSince(earliest) ?? '');
  const inRotation = live.filter((instance) => instance.drain === null);
  // What, since when — why (the earliest loss's cause, its details its own "; " clauses).
  const lossClauses = `${lostState(lost, since)} — ${earliest.lost?.cause ?? 'lease expired'}`;
  if (inRotation.length === 0) return { status: 'critical', cause: `${howMany(lost.length, lost.length)} ${lossClauses}` };
  // The live instances' own state is a second sentence, counted of the same whole.
  const base = liveStatus(live, instances.length);
  const lostPart = `${howMany(lost.length, instances.length)} ${lossClauses}`;
  return { status: atLeast(base.status, 'warning'), cause: base.cause && base.status !== 'unknown' ? `${lostPart}. ${base.cause}` : lostPart };
}
