import { rollUpStatus } from '../health';
import type { Instance, Status } from '../instance';
import { utcClock } from './clock';

export interface ServiceStatus {
  status: Status;
  /** Absent when every instance in rotation passes. */
  cause?: string;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };
const atLeast = (status: Status, floor: Status): Status => (severity[status] >= severity[floor] ? status : floor);

/** The probe-only part: live (not lost) instances rolled up, with the first failing instance's cause. */
function liveStatus(live: readonly Instance[]): ServiceStatus {
  const status = rollUpStatus(live);
  const inRotation = live.filter((instance) => instance.drain === null);
  const considered = inRotation.length > 0 ? inRotation : live;
  const failing = considered.filter((instance) => instance.status === 'critical');
  const slow = considered.filter((instance) => instance.status === 'warning');
  const first = failing[0] ?? slow[0];
  const why = first?.statusCause ? ` (${first.id}: ${first.statusCause})` : '';
  if (status === 'critical') return { status, cause: `${considered.length === 1 ? 'its only instance' : `all ${plural(considered.length, 'instance')}`} failing${why}` };
  if (status === 'warning') {
    // One cause shared by every instance (its service's membership) is the service's cause as it stands.
    const shared = failing.length === 0 && slow.every((instance) => instance.statusCause === first?.statusCause) ? first?.statusCause : undefined;
    if (shared && slow.length === considered.length) return { status, cause: shared };
    const parts = [failing.length > 0 ? `${failing.length} of ${considered.length} instances failing` : '', slow.length > 0 ? `${slow.length} of ${considered.length} instances degraded` : ''];
    return { status, cause: `${parts.filter(Boolean).join(', ')}${why}` };
  }
  if (status === 'unknown') {
    if (considered.length === 0) return { status, cause: 'no instances registered' };
    // Probed, but not to a verdict yet (a first refused connection, one answer of the two needed).
    const probed = considered.find((instance) => instance.status === 'unknown' && instance.lastProbe !== undefined && instance.statusCause);
    return { status, cause: probed ? `no verdict yet (${probed.id}: ${probed.statusCause})` : 'not probed yet' };
  }
  return { status };
}

/**
 * What became of lost instances, in a cause: `lost` for processes gone (they need a restart), `out of
 * discovery` for processes still serving whose registration went (`lost.stillServing`: they need
 * their etcd connection fixed), and both counted when both happened. The same word for the two sent
 * an on-call engineer to restart a process that was running fine.
 */
export function lostWording(lost: readonly Pick<Instance, 'lost'>[]): string {
  const serving = lost.filter((instance) => instance.lost?.stillServing === true).length;
  if (serving === 0) return 'lost';
  if (serving === lost.length) return 'out of discovery';
  return `missing (${lost.length - serving} lost, ${serving} out of discovery)`;
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
  const earliest = lost.reduce((a, b) => ((a.lost?.at ?? '') <= (b.lost?.at ?? '') ? a : b));
  const since = utcClock(earliest.lost?.at ?? '');
  const inRotation = live.filter((instance) => instance.drain === null);
  const missing = lostWording(lost);
  if (inRotation.length === 0) {
    const what = lost.length === 1 ? `its only instance ${missing}` : `all ${lost.length} instances ${missing}`;
    return { status: 'critical', cause: `${what} since ${since} (${earliest.lost?.cause ?? 'lease expired'})` };
  }
  const base = liveStatus(live);
  const lostPart = `${lost.length} of ${instances.length} instances ${missing} since ${since} (${earliest.lost?.cause ?? 'lease expired'})`;
  return { status: atLeast(base.status, 'warning'), cause: base.cause && base.status !== 'unknown' ? `${lostPart}; ${base.cause}` : lostPart };
}
