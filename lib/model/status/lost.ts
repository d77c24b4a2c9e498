import type { Instance, LastProbe, Lost } from '../instance';
import { utcClock } from './clock';

/** What is known when an instance's key disappears from etcd. */
export interface Departure {
  /**
   * The key's lease after the key went: none (unleased key), still alive, revoked (ended before it
   * could have expired), gone (ended: expired or revoked, etcd cannot say), or unknown (etcd did not say).
   */
  lease: 'none' | 'alive' | 'revoked' | 'gone' | 'unknown';
  /** Drained (taken out of rotation) before it went. */
  drained: boolean;
  /** The last probe result before the key went, if it was ever probed. */
  lastProbe: LastProbe | undefined;
  /** Time of the first failed probe in the failing streak that ended with `lastProbe` (ISO). */
  failingSince: string | undefined;
  /** When the removal was seen (ISO). */
  removedAt: string;
}

/**
 * `checkStillServing`: a graceful shutdown only if the process stops answering soon. Its lease
 * ended (expired or revoked, etcd cannot say) while its probes passed, which is also what an
 * instance that lost its etcd session and serves on looks like.
 */
export type DepartureVerdict = { lost: false; reason: string; checkStillServing?: true } | { lost: true; at: string; cause: string };

/**
 * Graceful stop or crash? etcd cannot tell an expired lease from a revoked one (both are "lease not
 * found" afterwards), so the instance's own last moments decide:
 * - the key was deleted while its lease lived, or had no lease, or the lease ended before it could
 *   have expired (revoked) → an explicit deregistration;
 * - it was drained first → a planned stop;
 * - its last probe passed → a graceful shutdown that revoked its lease (go-zero does this);
 * - otherwise (probes failing before the key went, or never probed) the lease ran out on a process
 *   that is evidently gone → lost.
 */
export function judgeDeparture(departure: Departure): DepartureVerdict {
  const { lease, lastProbe } = departure;
  if (lease === 'none') return { lost: false, reason: 'key deleted (it had no lease): an explicit deregistration' };
  if (lease === 'alive') return { lost: false, reason: 'key deleted while its lease was alive: an explicit deregistration' };
  if (lease === 'revoked') return { lost: false, reason: 'lease revoked before it could expire: a deregistration' };
  if (departure.drained) return { lost: false, reason: 'drained before its key went: a planned stop' };
  if (lastProbe?.ok) return { lost: false, reason: 'probes passed until its key went: a graceful shutdown', ...(lease === 'gone' || lease === 'unknown' ? { checkStillServing: true as const } : {}) };
  // Details follow as "; " clauses, never in parentheses: services and alerts quote this cause whole.
  const ended = `lease ${lease === 'gone' ? 'expired' : 'ended'} at ${utcClock(departure.removedAt)}`;
  if (!lastProbe) return { lost: true, at: departure.removedAt, cause: `${ended}; never probed` };
  const since = departure.failingSince ?? lastProbe.at;
  const why = lastProbe.error ? `; last probe: ${lastProbe.error}` : '';
  return { lost: true, at: since, cause: `${ended} after probes failed from ${utcClock(since)}${why}` };
}

/**
 * When an instance that lost its key went down (ISO): its critical verdict, if it had one when its
 * key went; else its loss (`lost.at`). A warning before the verdict is no verdict: it stays in its
 * `failingSince` (when it began failing, its incident's start), not here. Its stand-in's and, back
 * and held critical, its own status "since" (lost/tracker.ts), which `lostDownSince` reads.
 */
export const downBeforeLoss = (departed: Pick<Instance, 'status' | 'statusSince'>, lost: Pick<Lost, 'at'>): string =>
  departed.status === 'critical' && departed.statusSince !== undefined ? departed.statusSince : lost.at;

/**
 * When an instance went down (ISO): its status "since" (for a lost one, stand-in or back and held
 * critical, that is `downBeforeLoss`), else its loss. What its service's "lost since", its row and
 * its alerts' start say; `lost.at`, its first failed probe, is said in its cause, as such.
 */
export const lostDownSince = (instance: Pick<Instance, 'lost' | 'statusSince'>): string | undefined => instance.statusSince ?? instance.lost?.at;

/** The loss of an instance still answering probes well after its lease ended: it serves, but discovery no longer lists it. */
export function stillServingCause(departure: Pick<Departure, 'lease' | 'removedAt'>, checkedAfterSeconds: number): string {
  const ended = departure.lease === 'gone' ? 'expired' : 'ended';
  return `lease ${ended} at ${utcClock(departure.removedAt)} while it still served: it answered probes ${checkedAfterSeconds} s later, but is out of discovery`;
}

/**
 * The loss of an instance out of discovery that then failed its probes (as many in a row as a registered
 * instance needs to go critical): gone, not serving. `since`: its first failed probe; `leftAt`: its key's removal.
 */
export function stoppedAnsweringCause(leftAt: string, since: string, lastProbe: Pick<LastProbe, 'error'>): string {
  return `stopped answering probes at ${utcClock(since)}, after it left discovery at ${utcClock(leftAt)}${lastProbe.error ? `; last probe: ${lastProbe.error}` : ''}`;
}

/** Whether an `instance.lost` detail is a `stillServingCause`: a loss stamped when its check ended, after its key went. */
export const isStillServingLoss = (detail: string): boolean => /^lease (expired|ended) at \d\d:\d\d:\d\d UTC while it still served: /.test(detail);

/**
 * Whether an `instance.lost` detail is a `stoppedAnsweringCause`: the second loss row of a departure
 * already paired with its still-serving loss (`lossPairs` skips it).
 */
export const isStoppedAnsweringLoss = (detail: string): boolean => /^stopped answering probes at \d\d:\d\d:\d\d UTC, after it left discovery at \d\d:\d\d:\d\d UTC/.test(detail);

export type StandInKind = 'lost' | 'unlisted' | 'checking';

/** What a stand-in stands for (`STAND_IN_WORDS`): gone (`lost`), serving out of discovery (`unlisted`), or still being checked. */
export function standInKind(lost: Pick<Lost, 'stillServing' | 'checking'>): StandInKind {
  return lost.checking ? 'checking' : lost.stillServing ? 'unlisted' : 'lost';
}

/**
 * The one set of words for a stand-in on every screen — service header and cause, History, alerts,
 * the map's chips, panel and legend, the instance table's tag — so that the state read on one is
 * recognised on the next. Each says what is wrong in the words of what to fix, for a reader woken at 3 a.m.:
 * - `lost`: the process is gone — restart it;
 * - `out of discovery`: the process serves, but discovery (etcd) no longer lists it, so no caller
 *   finds it — fix its connection to etcd, no restart. The map and the instance tag said "unlisted":
 *   listed where, and is that bad? Nor did it match "out of discovery" on the service page and in History;
 * - `left discovery, checking`: its registration went while its probes passed, and whether it still
 *   serves is being checked (~20 s) — nothing to do yet. The map said "left etcd": the same event in
 *   another word. Beside a count or a cause (map chips, the instance tag) it shortens to its last
 *   clause, `standInTag`; its title and row say the rest.
 */
export const STAND_IN_WORDS = { lost: 'lost', unlisted: 'out of discovery', checking: 'left discovery, checking' } as const satisfies Record<StandInKind, string>;

/** A stand-in's words on a chip or tag that sits beside a count or a cause: their last clause ("checking"), never other words. */
export const standInTag = (kind: StandInKind): string => STAND_IN_WORDS[kind].split(', ').at(-1) ?? STAND_IN_WORDS[kind];

/** What each stand-in means and what to do about it: the title of its chips and tags. */
const STAND_IN_MEANINGS = {
  lost: 'its lease expired after its probes failed — the process looks gone (restart it)',
  unlisted: 'its registration went while it still serves — no caller finds it through discovery (fix its connection to etcd; no restart needed)',
  checking: 'its registration went while its probes passed — checking whether it still serves: a shutdown, or cut off from etcd (not lost unless it is)',
} as const satisfies Record<StandInKind, string>;

/** A stand-in's words heading a row or a line: "Out of discovery". */
export const standInHeading = (kind: StandInKind): string => `${STAND_IN_WORDS[kind].charAt(0).toUpperCase()}${STAND_IN_WORDS[kind].slice(1)}`;

/** "Out of discovery: its registration went while it still serves — …": a stand-in chip's or tag's title. */
export const standInTitle = (kind: StandInKind): string => `${standInHeading(kind)}: ${STAND_IN_MEANINGS[kind]}`;

/**
 * A service's stand-ins counted by what they stand for, in the words its cause uses ("2 lost",
 * "1 out of discovery", "1 left discovery, checking"): the service page's header counted a process
 * still serving out of discovery as "lost", which sends the engineer to restart a process that runs.
 */
export function standInClauses(instances: readonly Pick<Instance, 'lost'>[]): string[] {
  const counts = new Map<StandInKind, number>();
  for (const instance of instances) {
    if (instance.lost === undefined) continue;
    const kind = standInKind(instance.lost);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return (['lost', 'unlisted', 'checking'] as const).flatMap((kind) => {
    const count = counts.get(kind) ?? 0;
    return count > 0 ? [`${count} ${STAND_IN_WORDS[kind]}`] : [];
  });
}

/** A stand-in's cause. Gone, or serving on outside discovery: what the reader must do differs (a restart, an etcd fix). */
export const lossCause = (lost: Pick<Lost, 'stillServing' | 'cause'>): string => `${lossHead(lost)}${lost.cause}`;
const lossHead = (lost: Pick<Lost, 'stillServing'>): string => `${STAND_IN_WORDS[lost.stillServing ? 'unlisted' : 'lost']}: `;

/** A confirmed stand-in's cause without the head its tag already says ("lost: lease expired…" → "lease expired…"); any other cause whole. */
export function causeAfterStandInTag(instance: Pick<Instance, 'lost' | 'statusCause'>): string | undefined {
  const { lost, statusCause } = instance;
  if (!lost || lost.checking || statusCause === undefined) return statusCause;
  const head = lossHead(lost);
  return statusCause.startsWith(head) ? statusCause.slice(head.length) : statusCause;
}

/** The state of an instance back in etcd after its loss, held critical until its probes rule (lost/tracker.ts). */
export const REGISTERED_AGAIN = 'registered again with no probe verdict yet';

/** Such an instance's cause: that state — then the loss it came back from ("lost: lease expired at …; last probe: …"). */
export const registeredAgainCause = (lossCause: string): string => `${REGISTERED_AGAIN} — ${lossCause}`;

/** The loss named in a `registeredAgainCause`, or undefined for any other cause. */
export function lossInRegisteredAgain(statusCause: string): string | undefined {
  const head = registeredAgainCause('');
  return statusCause.startsWith(head) ? statusCause.slice(head.length) : undefined;
}

/** A stand-in shown while its departure is checked (`lost.checking`): not (yet) a loss. */
export const isCheckingDeparture = (instance: Pick<Instance, 'lost'>): boolean => instance.lost?.checking === true;

/** A loss ruled on: lost, or out of discovery — not a departure still being checked. */
export const isConfirmedLoss = (instance: Pick<Instance, 'lost'>): boolean => instance.lost !== undefined && instance.lost.checking !== true;

/**
 * Whether departures checked for still serving are shown while the check runs: only when the going
 * keys leave their service with no registered instance (stand-ins are not registrations). Hiding
 * them then makes the whole service vanish — "no services registered" while the fleet serves on,
 * as in a mass lease expiry (etcd paused); a rolling restart always leaves others registered and
 * shows nothing, as its departures are usually graceful.
 */
export function showWhileChecking(serviceInstances: readonly Pick<Instance, 'key' | 'lost'>[], goingKeys: ReadonlySet<string>): boolean {
  return serviceInstances.every((instance) => instance.lost !== undefined || goingKeys.has(instance.key));
}

/** A departure's cause while its still-serving check runs (`lost.checking`). */
export function checkingCause(removedAt: string): string {
  return `left discovery at ${utcClock(removedAt)} while its probes passed — checking whether it still serves`;
}

/**
 * A registration is the same instance as a lost one when it has the same service and either the
 * same id or the same address: two instances are the same when they share any of these keys.
 */
export function identityKeys(instance: Pick<Instance, 'service' | 'id' | 'address'>): [string, string] {
  return [`id\u0000${instance.service}\u0000${instance.id}`, `address\u0000${instance.service}\u0000${instance.address}`];
}
