import type { NewHistoryEvent } from '@/lib/model/events';
import type { Instance, LastProbe, Lost } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { registeredAgainDetail } from '@/lib/model/history-wording';
import { laterIso } from '@/lib/model/service-summary';
import { DEFAULT_THRESHOLDS } from '@/lib/model/health-state';
import { checkingCause, downBeforeLoss, identityKeys, isCheckingDeparture, judgeDeparture, lossCause, registeredAgainCause, showWhileChecking, stillServingCause, stoppedAnsweringCause, type Departure } from '@/lib/model/status/lost';
import { PROBE_REFRESH_MS } from '../health';
import { STAND_IN_KEY_PREFIX, type Store } from '../store/store';

/** What became of a going key's lease, from the registry's one lease verdict (registry/lease-end.ts). */
export type LeaseAfter = Promise<Departure['lease']>;

export interface LostTrackerOptions {
  store: Store;
  /** Counted from the moment the key was removed from etcd. */
  retentionSeconds: number;
  /** `instance.lost` and `instance.lost_cleared` rows for history. */
  onHistory: (event: NewHistoryEvent) => void;
  now?: () => number;
  /** How often expired losses are swept (ms). */
  sweepMs?: number;
  /**
   * Probes a departed instance's address (the prober's target and policy). Given, an instance whose
   * lease ended while its probes passed — a graceful shutdown, or a process that lost its etcd
   * session and serves on: etcd cannot tell — is probed `departedCheckMs` after its key went and
   * again as long after that; answering both times, it is lost: serving, but out of discovery.
   */
  probeDeparted?: (instance: Instance) => Promise<LastProbe>;
  /** Default 10 s: longer than the shutdown delays of go-zero (5.5 s) and kratos' graceful stops. */
  departedCheckMs?: number;
  /**
   * An instance of `service` left on purpose: deregistered (its lease alive or revoked, or none),
   * drained first, shut down while its probes passed, or its loss dismissed by an operator. Not
   * called for a loss, nor for a lost instance whose retention ended.
   */
  onDeparted?: (service: string) => void;
  /** Departures checked at once at most (default `MAX_DEPARTED_CHECKS`); past it they wait their turn. */
  maxDepartedChecks?: number;
  /** Departures waiting for a check at most (default `MAX_QUEUED_DEPARTURES`); past it one goes unchecked, counted and logged. */
  maxQueuedDepartures?: number;
  /** Once per burst: checks queued, and departures left unchecked because the queue was full. */
  log?: (message: string) => void;
  /**
   * Failed probes in a row that turn an instance out of discovery lost (`standInProbed`): the verdict
   * rule of a registered instance of `service` (its `failAfter`). Default `DEFAULT_THRESHOLDS.failAfter`.
   */
  failAfter?: (service: string) => number;
  /**
   * A re-probe of an instance out of discovery that changes nothing but its time is shown at most this
   * often (default `PROBE_REFRESH_MS`, a registered instance's bound); a changed result at once.
   */
  probeRefreshMs?: number;
}

/** Dismissals remembered at most (the oldest forgotten first); each is kept for the retention anyway. */
export const MAX_DISMISSALS_KEPT = 10_000;

/** Probes a departed instance must answer, `departedCheckMs` apart, to count as still serving. */
const STILL_SERVING_PROBES = 2;
/**
 * Departed instances checked at once at most: these probes bypass the prober's schedule, so a mass
 * shutdown must not dial thousands of addresses at the same moment. Past it, a departure waits in
 * arrival order (at most `MAX_QUEUED_DEPARTURES`) and is checked as a check ends: a fleet whose
 * leases all expired together (etcd paused, a cut between the fleet and etcd) is all checked.
 */
export const MAX_DEPARTED_CHECKS = 256;
/** Departures waiting for a check at most; past it one is judged a graceful shutdown unchecked (counted, logged once per burst). */
export const MAX_QUEUED_DEPARTURES = 10_000;

/** A departure whose lease ended while its probes passed, from its key's removal until the still-serving check rules. */
/** A dismissal as told between replicas: who took it, when (ms, the taker's clock), and the dismissed loss's `removedRevision` when known. */
export interface DismissalTold {
  service: string;
  id: string;
  actor: string;
  at: number;
  revision?: string;
}

/** A dismissal remembered, and until when a late answer carrying its loss is refused. */
interface Dismissal extends DismissalTold {
  until: number;
}

interface Departing {
  /** Ruled on, or superseded (registered again): nothing more to do. */
  ended: boolean;
  instance: Instance;
  departure: Departure;
  passingBefore: number;
  removedMs: number;
  removedRevision: string | undefined;
  /** Its provisional stand-in (`lost.checking`), while one is shown: its service had nothing else registered. */
  shown?: LostRecord;
}

interface DepartedCheck {
  identities: readonly string[];
  departing: Departing;
  timer: NodeJS.Timeout | undefined;
  ended: boolean;
}

/** A departure waiting for a free check (past `maxDepartedChecks`). */
interface QueuedDeparture {
  identities: readonly string[];
  departing: Departing;
  /** When it was queued (ms): the wait counts in how long after its removal it still answered. */
  queuedMs: number;
}

interface LostRecord {
  /** The stand-in's etcd key in the store: never a real key, so a real registration cannot collide with it. */
  storeKey: string;
  instance: Instance;
  /** When its key was seen removed (ms): the retention runs from here, not from its first failed probe. */
  removedAt: number;
  /**
   * The etcd revision of its key's delete, when this replica's watch saw it (not when adopted, or found
   * gone by a relist): the same on every replica that saw it, so a dismissal can tell this loss from a
   * later one of the same instance without comparing clocks (`dismissedElsewhere`).
   */
  removedRevision: string | undefined;
  /** Out of discovery: its current streak of failed probes (`standInProbed`), when one runs. */
  failing?: { count: number; since: string };
  /** When its `lastProbe` was last put in the store (ms): a re-probe with the same result waits `probeRefreshMs` after it. */
  probeShownMs: number;
}

export type DismissResult = { ok: true; instance: Instance; dismissal: DismissalTold } | { ok: false };

/** Stand-ins live under this prefix + their instance key, stored under exactly that key (store/instance-table.ts). */
export const LOST_KEY_PREFIX = STAND_IN_KEY_PREFIX;

/** The key a lost instance had while registered (its probe series are kept under it); other keys unchanged. */
export const registeredKeyOf = (instanceKey: string): string => (instanceKey.startsWith(LOST_KEY_PREFIX) ? instanceKey.slice(LOST_KEY_PREFIX.length) : instanceKey);

const registrationOf = (instance: Instance, lost: Lost): Registration => ({
  service: instance.service,
  id: instance.id,
  address: instance.address,
  format: instance.format,
  ...(instance.version !== undefined ? { version: instance.version } : {}),
  ...(instance.zone !== undefined ? { zone: instance.zone } : {}),
  ...(instance.weight !== undefined ? { weight: instance.weight } : {}),
  metadata: instance.metadata,
  ...(instance.health ? { health: instance.health } : {}),
  ...(instance.dependsOn ? { dependsOn: instance.dependsOn } : {}),
  lost,
});

/**
 * Keeps lost instances on screen (DESIGN §6). The registry calls `keyGoing` just before it removes
 * a registration key from the store and `relisted` after a relist replaced the store's contents.
 * A lost instance lives in the store as a stand-in under its own key (`LOST_KEY_PREFIX` + the
 * instance key), so snapshots, deltas and the API carry it like any instance; it leaves when the
 * same instance registers again (same service and id or address), when an operator dismisses it, or
 * after the retention.
 */
/** Instances whose keys went while they were failing: kept in the lists as lost until dismissed or expired. */
export interface LostTracker {
  /**
   * Call before the store forgets `etcdKey` because etcd deleted it; `leaseAfter` is the registry's
   * verdict on its lease, `deletedRevision` the delete's etcd revision when the watch saw it.
   */
  keyGoing(etcdKey: string, leaseAfter: LeaseAfter, deletedRevision?: string): void;
  /** After a relist replaced the store's contents: puts the stand-ins back. */
  relisted(): void;
  /** An operator's dismissal of a lost instance (`DELETE …/instances/{id}/lost`). */
  dismiss(service: string, id: string, actor: string): DismissResult;
  /**
   * A dismissal another replica took (cluster/lost-hand-off.ts): the loss dropped here too if held
   * (the leader's drop writes the history row), and remembered like one taken here, so that an
   * answer still carrying it, sent before the sender heard of the dismissal, is not adopted. Told
   * the dismissed loss's `revision`, a loss held here whose key this replica saw deleted at a later
   * revision is a later loss of the same instance (a dismissal heard late) and stays; where either
   * revision is unknown, any loss of it held is the one dismissed, as before revisions were told.
   * Told its `at`, the history row and the retention date from when it was taken.
   */
  dismissedElsewhere(service: string, id: string, actor: string, told?: Partial<Pick<DismissalTold, 'at' | 'revision'>>): void;
  /** The dismissals remembered (taken here or heard of) within the retention, in the order learnt: what a replica that was not listening is told. */
  dismissals(): DismissalTold[];
  /** Lost instances held now. */
  count(): number;
  /**
   * Whether the departure of the instance registered under `key` of `service` is still judged: its
   * lease asked about, its still-serving check waiting or under way (the OTLP intake names it by its address meanwhile).
   */
  checksDeparture(service: string, key: string): boolean;
  /** The losses held now, with when each key went (ms): what a replica that starts later is told (cluster/lost-hand-off.ts). */
  held(): { instance: Instance; removedAt: number }[];
  /**
   * A loss another replica saw before this one was watching: held as if seen here (same stand-in,
   * same retention from `removedAt`), with no history row (that was written when it happened).
   * Ignored when already held, past the retention, when the same instance is registered again, or
   * when an operator dismissed it (here or on another replica) within the retention and it has not
   * registered since: a dismissed loss never comes back from a late answer.
   */
  adopt(instance: Instance, removedAt: number): void;
  /**
   * A probe of a stand-in held here (its store key), from the prober, which probes those out of
   * discovery at its interval: shown as its `lastProbe` (a changed result at once, the same one at most
   * every `probeRefreshMs`); failing `failAfter` in a row, the process is gone after all, and its loss
   * becomes a plain one (a history row says so), still failing since its key went. Any other
   * stand-in's probe is ignored: a lost process that comes back registers again, which ends its loss.
   */
  standInProbed(storeKey: string, probe: LastProbe): void;
  stop(): void;
}

export function createLostTracker(options: LostTrackerOptions): LostTracker {
  const { store } = options;
  const now = options.now ?? Date.now;
  const retentionMs = options.retentionSeconds * 1_000;
  const refreshMs = options.probeRefreshMs ?? PROBE_REFRESH_MS;
  const records = new Map<string, LostRecord>();
  /** `service\0id` and `service\0address` → stand-in keys: a registration finds the loss it ends in one lookup. */
  const byIdentity = new Map<string, Set<string>>();
  const remember = (record: LostRecord): void => {
    records.set(record.storeKey, record);
    for (const identity of identityKeys(record.instance)) {
      let keys = byIdentity.get(identity);
      if (!keys) byIdentity.set(identity, (keys = new Set()));
      keys.add(record.storeKey);
    }
  };
  const forget = (record: LostRecord): void => {
    records.delete(record.storeKey);
    for (const identity of identityKeys(record.instance)) {
      const keys = byIdentity.get(identity);
      keys?.delete(record.storeKey);
      if (keys?.size === 0) byIdentity.delete(identity);
    }
  };
  /**
   * Losses dismissed (`service\0id` → who, when, and until when, ms), here or on another replica:
   * `adopt` ignores them until the retention has passed or the instance has registered again (a later
   * loss is a new one). Kept in the order learnt (one heard late goes last, so the sweep, which stops at
   * the first still in force, may keep it a little longer; `adopt` and `dismissals` read each one's own time).
   */
  const dismissed = new Map<string, Dismissal>();
  const dismissedKey = (service: string, id: string): string => `${service}\u0000${id}`;
  const rememberDismissal = (told: DismissalTold): void => {
    const key = dismissedKey(told.service, told.id);
    const known = dismissed.get(key);
    // Heard again (an answer after a reconnect): the one remembered keeps its place and its time.
    if (known && known.at >= told.at) return;
    dismissed.delete(key);
    dismissed.set(key, { ...told, until: told.at + retentionMs });
    for (const oldest of dismissed.keys()) {
      if (dismissed.size <= MAX_DISMISSALS_KEPT) break;
      dismissed.delete(oldest);
    }
  };
  /** Lost instances the same as `instance` (same service and id, or same service and address). */
  const sameAs = (instance: Pick<Instance, 'service' | 'id' | 'address'>): LostRecord[] => {
    const found = new Set<LostRecord>();
    for (const identity of identityKeys(instance)) for (const key of byIdentity.get(identity) ?? []) {
      const record = records.get(key);
      if (record) found.add(record);
    }
    return [...found];
  };
  /** Departed instances being probed (`probeDeparted`), by identity (`identityKeys`): a registration of the same instance ends the check. */
  const checks = new Map<string, DepartedCheck>();
  /** Checks under way (each is in `checks` under both its identities). */
  let checking = 0;
  let stopped = false;
  const maxChecks = options.maxDepartedChecks ?? MAX_DEPARTED_CHECKS;
  const maxQueued = options.maxQueuedDepartures ?? MAX_QUEUED_DEPARTURES;
  /** Departures past `maxChecks`, in arrival order (a Set keeps it), and by identity: a registration of the same instance takes it out. */
  const queue = new Set<QueuedDeparture>();
  const queuedBy = new Map<string, QueuedDeparture>();
  /** This burst (since the queue was last empty): departures queued, and dropped because the queue was full. */
  let burst = { queued: 0, dropped: 0 };
  const unqueue = (queued: QueuedDeparture): void => {
    queue.delete(queued);
    for (const identity of queued.identities) if (queuedBy.get(identity) === queued) queuedBy.delete(identity);
    if (queue.size === 0 && burst.queued > 0) {
      options.log?.(
        `lost instances: ${burst.queued} departures waited for a check (at most ${maxChecks} at once)` +
          (burst.dropped > 0 ? `; ${burst.dropped} more were not checked, the queue being full (${maxQueued}): judged graceful shutdowns` : ''),
      );
      burst = { queued: 0, dropped: 0 };
    }
  };
  /** Starts waiting departures while checks are free (one whose instance registered again meanwhile is skipped). */
  const startQueued = (): void => {
    for (const queued of queue) {
      if (stopped || checking >= maxChecks) return;
      unqueue(queued);
      if (registeredAgain(queued.departing.instance)) settle(queued.departing);
      else startCheck(queued, now() - queued.queuedMs);
    }
  };
  /**
   * Ends a check: out of `checks` under both its identities, whichever one found it, its departure
   * settled (a provisional stand-in still shown goes); a waiting departure takes its place.
   */
  const endCheck = (check: DepartedCheck): void => {
    if (check.ended) return;
    check.ended = true;
    checking -= 1;
    clearTimeout(check.timer);
    for (const identity of check.identities) if (checks.get(identity) === check) checks.delete(identity);
    settle(check.departing);
    if (queue.size > 0) startQueued();
  };
  /** The same instance registered again (or departed anew): its running check ends, its waiting one leaves the queue. */
  const cancelChecks = (instance: Pick<Instance, 'service' | 'id' | 'address'>): void => {
    for (const identity of identityKeys(instance)) {
      const queued = queuedBy.get(identity);
      if (queued) {
        unqueue(queued);
        settle(queued.departing);
      }
      const check = checks.get(identity);
      if (check) endCheck(check);
    }
  };
  /**
   * Departures between their key's removal and the still-serving verdict, by service, then instance
   * key: when the last registered instance of a service goes, all of them are shown (`showWhileChecking`).
   */
  const departing = new Map<string, Map<string, Departing>>();
  /** A departure's provisional stand-in: unknown, not lost — no history row, no alert. */
  const showChecking = (entry: Departing): void => {
    if (entry.ended || entry.shown) return;
    const { removedAt } = entry.departure;
    entry.shown = standIn(entry.instance, { at: removedAt, cause: checkingCause(removedAt), passingBefore: entry.passingBefore, checking: true }, entry.removedMs, entry.removedRevision);
  };
  /** Shows the departures under check of each of `services` that `goingKeys` leave with no registered instance (`showWhileChecking`). */
  const showDepartures = (services: ReadonlySet<string>, goingKeys: ReadonlySet<string>): void => {
    for (const service of services) {
      const entries = departing.get(service);
      if (entries && showWhileChecking(store.instancesOfService(service), goingKeys)) for (const entry of entries.values()) showChecking(entry);
    }
  };
  /** The departure is ruled on or moot: forgotten, and its provisional stand-in taken back unless a stand-in of a verdict replaced it. */
  const settle = (entry: Departing): void => {
    entry.ended = true;
    // Stopping: the store goes too, and a stopping replica's deltas would only flash.
    if (stopped) return;
    const { service, key } = entry.instance;
    const ofService = departing.get(service);
    if (ofService?.get(key) === entry) {
      ofService.delete(key);
      if (ofService.size === 0) departing.delete(service);
    }
    const { shown } = entry;
    delete entry.shown;
    if (shown && records.get(shown.storeKey) === shown) {
      forget(shown);
      store.removeKey(shown.storeKey);
    }
  };
  /** The same instance (service and id, or service and address) is registered now: a check of its departure is moot. */
  const registeredAgain = (instance: Instance): boolean =>
    store.instancesOfService(instance.service).some((other) => !other.lost && (other.id === instance.id || other.address === instance.address));
  /** Instance key → first failed probe of its current failing streak, followed from the store's deltas. */
  const failingSince = new Map<string, string>();

  const put = (record: LostRecord): void => {
    const { instance } = record;
    store.upsertKey({ etcdKey: record.storeKey, lease: undefined, registrations: [registrationOf(instance, instance.lost as Lost)] });
    showHealth(record);
  };
  /** The stand-in's status, its times and its last probe, from its record, into the store (one upsert to its viewers). */
  const showHealth = (record: LostRecord): void => {
    const { instance } = record;
    const lost = instance.lost as Lost;
    if (!store.instance(record.storeKey)) return;
    if (lost.checking) {
      store.setHealth(record.storeKey, {
        status: 'unknown',
        statusCause: lost.cause,
        statusSince: lost.at,
        ...(instance.lastProbe ? { lastProbe: instance.lastProbe } : {}),
        ...(instance.passedAt ? { passedAt: instance.passedAt } : {}),
      });
      return;
    }
    store.setHealth(record.storeKey, {
      status: 'critical',
      statusCause: lossCause(lost),
      // Critical since its verdict before the key went, as its alerts start; else since its loss. `lost.at`
      // (the first failed probe) is said in its cause, as such; failing since it began, a warning included.
      statusSince: downBeforeLoss(instance, lost),
      failingSince: instance.failingSince ?? lost.at,
      ...(instance.lastProbe ? { lastProbe: instance.lastProbe } : {}),
      ...(instance.passedAt ? { passedAt: instance.passedAt } : {}),
      // A crash loop flaps through its losses: the service page shows the stand-in meanwhile.
      ...(instance.criticalChangesMs ? { criticalChangesMs: instance.criticalChangesMs } : {}),
    });
  };

  /** A stand-in for `instance`, lost as `lost`, into the records and the store. */
  const standIn = (instance: Instance, lost: Lost, removedMs: number, removedRevision: string | undefined): LostRecord => {
    const record: LostRecord = { storeKey: `${LOST_KEY_PREFIX}${instance.key}`, instance: { ...instance, lost }, removedAt: removedMs, removedRevision, probeShownMs: now() };
    remember(record);
    put(record);
    return record;
  };
  const recordLoss = (instance: Instance, at: string, cause: string): void =>
    options.onHistory({ at, kind: 'instance.lost', service: instance.service, instance: instance.id, from: instance.status, to: 'critical', detail: cause });

  /**
   * The instance back after its loss. A registration is no probe evidence, so until its probes give
   * a verdict it keeps the status its loss gave it: critical, kind `lost` (the status publisher holds
   * that against a probe still short of a verdict), with the loss's `failingSince`. Its recovery is
   * then its first passing verdict, the moment every view, its incident and its alert take as
   * recovered (docs/ARCHITECTURE "Recovered at"); held `unknown`, a service whose instances all came
   * back read "not probed yet" and its incident ended at the registration. It also keeps the latest
   * `passedAt` of its predecessors, so while held its service counts as failing now, not stale —
   * else a crashed service coming back left the probable origin to its callers, failing on its
   * leftover errors — and its first pass counts as a recovery.
   */
  const holdUntilProbed = (records: readonly LostRecord[], key: string): void => {
    // The instance as the store holds it now, not as the delta said; ISO times compare as text.
    const back = store.instance(key);
    const passedAt = back?.passedAt ?? records.reduce<string | undefined>((latest, record) => laterIso(latest, record.instance.passedAt), undefined);
    const first = records[0];
    if (!back || !first) return;
    const held = back.status === 'unknown';
    if (!held && (passedAt === undefined || back.passedAt !== undefined)) return;
    const lost = first.instance.lost;
    // A crash loop flaps through its losses (the status publisher follows them by service and id).
    const criticalChangesMs = back.criticalChangesMs ?? first.instance.criticalChangesMs;
    store.setHealth(back.key, {
      ...(held
        ? {
            status: 'critical' as const,
            statusCause: registeredAgainCause(lossCause(lost ?? { cause: 'lease expired' })),
            statusCauseKind: 'lost' as const,
            // Down since what its stand-in said (showHealth), not the departed instance's own statusSince:
            // a key gone before any verdict left that at its last pass, and it read "critical since" then.
            statusSince: lost ? downBeforeLoss(first.instance, lost) : new Date(now()).toISOString(),
            failingSince: first.instance.failingSince ?? lost?.at ?? new Date(now()).toISOString(),
          }
        : {
            status: back.status,
            ...(back.statusCause !== undefined ? { statusCause: back.statusCause } : {}),
            ...(back.statusCauseKind !== undefined ? { statusCauseKind: back.statusCauseKind } : {}),
            ...(back.statusSince !== undefined ? { statusSince: back.statusSince } : {}),
            ...(back.failingSince !== undefined ? { failingSince: back.failingSince } : {}),
          }),
      ...(back.lastProbe !== undefined ? { lastProbe: back.lastProbe } : {}),
      ...(back.recoveredAt !== undefined ? { recoveredAt: back.recoveredAt } : {}),
      ...(passedAt !== undefined ? { passedAt } : {}),
      ...(criticalChangesMs !== undefined ? { criticalChangesMs } : {}),
    });
  };

  /**
   * An instance out of discovery failed `failAfter` probes in a row from `since`: a plain loss now. It
   * stays failing since it left discovery, as it was shown (its `lost.at`, status times and incident):
   * its stop is that failure grown worse, not a new one; when it stopped answering is in its cause and
   * its history row (docs/ARCHITECTURE "Out of discovery is re-checked").
   */
  const stoppedAnswering = (record: LostRecord, lost: Lost, since: string, probe: LastProbe): void => {
    delete record.failing;
    const cause = stoppedAnsweringCause(lost.at, since, probe);
    const { stillServing: _serving, ...left } = lost;
    record.instance = { ...record.instance, lastProbe: probe, lost: { ...left, cause } };
    record.probeShownMs = now();
    // Same store key and retention (from its key's removal): one upsert turns it from out of discovery to lost.
    put(record);
    // From what its stand-in showed: out of discovery is critical too.
    recordLoss({ ...record.instance, status: 'critical' }, since, cause);
  };

  /** `returnedAs`: the id it registered again under, when its loss ends by its return (incidents follow the failure to it). */
  /** `atMs`: when it was cleared, if before now (a dismissal heard late). */
  const clear = (record: LostRecord, detail: string, actor?: string, returnedAs?: string, atMs = now()): void => {
    forget(record);
    store.removeKey(record.storeKey);
    options.onHistory({
      at: new Date(Math.min(atMs, now())).toISOString(),
      kind: 'instance.lost_cleared',
      service: record.instance.service,
      instance: record.instance.id,
      detail,
      ...(actor ? { actor } : {}),
      ...(returnedAs !== undefined ? { returnedAs } : {}),
    });
  };

  const unsubscribe = store.subscribe((delta) => {
    for (const change of delta.changes) {
      if (change.op === 'remove') {
        failingSince.delete(change.key);
        continue;
      }
      const instance = change.instance;
      if (instance.lost) continue;
      const probe = instance.lastProbe;
      if (probe && !probe.ok) {
        if (!failingSince.has(instance.key)) failingSince.set(instance.key, probe.at);
      } else failingSince.delete(instance.key);
      if (checks.size > 0 || queuedBy.size > 0) cancelChecks(instance);
      // Back before etcd answered on its lease: its departure is moot (and its provisional stand-in goes).
      for (const entry of departing.get(instance.service)?.values() ?? []) if (entry.instance.id === instance.id || entry.instance.address === instance.address) settle(entry);
      if (dismissed.size > 0) dismissed.delete(dismissedKey(instance.service, instance.id));
      const records = sameAs(instance).filter((record) => !isCheckingDeparture(record.instance));
      if (records.length === 0) continue;
      holdUntilProbed(records, instance.key);
      for (const record of records) clear(record, registeredAgainDetail(record.instance.id, instance), undefined, instance.id);
    }
  });

  /**
   * Instances of `service` in rotation (not lost, not drained) before this batch of removals: one
   * count per service per turn of the event loop, so a mass expiry is not quadratic and every
   * instance lost in it remembers the size the service had before it began.
   */
  let rotationCounts: Map<string, number> | undefined;
  const inRotation = (service: string): number => {
    if (!rotationCounts) {
      const counts = new Map<string, number>();
      for (const instance of store.instances()) if (!instance.lost && instance.drain === null) counts.set(instance.service, (counts.get(instance.service) ?? 0) + 1);
      rotationCounts = counts;
      setImmediate(() => (rotationCounts = undefined));
    }
    return rotationCounts.get(service) ?? 0;
  };

  /** Probes a departed instance until it stops answering (a graceful shutdown after all) or has answered STILL_SERVING_PROBES times: then lost. */
  const checkStillServing = (entry: Departing): void => {
    const { instance } = entry;
    // Registered again while etcd was asked about its lease (go-zero's key names the new lease): nothing to check.
    if (!options.probeDeparted || stopped || registeredAgain(instance)) return settle(entry);
    cancelChecks(instance);
    const departed: QueuedDeparture = { identities: identityKeys(instance), departing: entry, queuedMs: now() };
    if (checking < maxChecks) return startCheck(departed, 0);
    if (queue.size >= maxQueued) {
      if (burst.dropped === 0) options.log?.(`lost instances: ${maxQueued} departures already wait for a check; those past it are judged graceful shutdowns unchecked`);
      burst.dropped += 1;
      return settle(entry);
    }
    burst.queued += 1;
    queue.add(departed);
    for (const identity of departed.identities) queuedBy.set(identity, departed);
  };
  /** `waitedMs`: how long it waited in the queue before this check began. */
  const startCheck = ({ identities, departing: entry }: QueuedDeparture, waitedMs: number): void => {
    const probeDeparted = options.probeDeparted;
    if (!probeDeparted) return;
    const { instance, departure, passingBefore, removedMs } = entry;
    const everyMs = options.departedCheckMs ?? 10_000;
    const check: DepartedCheck = { identities, departing: entry, timer: undefined, ended: false };
    checking += 1;
    for (const identity of check.identities) checks.set(identity, check);
    const done = (): void => endCheck(check);
    const next = (answered: number): void => {
      check.timer = setTimeout(() => {
        if (check.ended || stopped) return;
        void probeDeparted(instance).then(
          (probe) => {
            if (check.ended || stopped) return;
            // A registration of the same instance since has ended the check (the store's deltas, above);
            // a new departure of it under the same key has superseded this one.
            if (!probe.ok || entry.ended) return done();
            if (answered + 1 < STILL_SERVING_PROBES) return next(answered + 1);
            const cause = stillServingCause(departure, Math.round(((answered + 1) * everyMs + waitedMs) / 1_000));
            // Under the provisional stand-in's key: one upsert turns it out of discovery, the service never blinks.
            standIn({ ...instance, lastProbe: probe }, { at: departure.removedAt, cause, passingBefore, stillServing: true }, removedMs, entry.removedRevision);
            done();
            recordLoss(instance, new Date(now()).toISOString(), cause);
          },
          () => done(),
        );
      }, everyMs);
      check.timer.unref();
    };
    next(0);
  };

  /**
   * Drops the held loss of `service`/`id`, recording who dismissed it. `told`: a dismissal taken
   * elsewhere — a loss whose key went at a later revision than the one dismissed is another loss
   * (revisions compared within one etcd: after a restore from backup they start lower, see ARCHITECTURE).
   */
  const dismissHeld = (service: string, id: string, actor: string, told?: Partial<Pick<DismissalTold, 'at' | 'revision'>>): DismissResult => {
    const at = told?.at ?? now();
    for (const record of records.values()) {
      // A departure still being checked is no loss to dismiss: its check rules within seconds.
      if (record.instance.service !== service || record.instance.id !== id || isCheckingDeparture(record.instance)) continue;
      if (told?.revision !== undefined && record.removedRevision !== undefined && BigInt(record.removedRevision) > BigInt(told.revision)) continue;
      clear(record, `loss dismissed by ${actor}`, actor, undefined, at);
      // One still serving left on purpose in the eyes of membership already, when its key went.
      if (!record.instance.lost?.stillServing) options.onDeparted?.(service);
      return { ok: true, instance: record.instance, dismissal: { service, id, actor, at, ...(record.removedRevision !== undefined ? { revision: record.removedRevision } : {}) } };
    }
    return { ok: false };
  };

  const sweeper = setInterval(() => {
    const cutoff = now() - retentionMs;
    for (const record of [...records.values()]) {
      if (record.removedAt <= cutoff && !isCheckingDeparture(record.instance)) clear(record, `kept for ${options.retentionSeconds} s after its key went; no longer shown`);
    }
    // Kept in the order they were taken, all for the same retention: the first still in force ends the sweep.
    for (const [key, { until }] of dismissed) {
      if (until > now()) break;
      dismissed.delete(key);
    }
  }, options.sweepMs ?? 5_000);
  sweeper.unref();

  return {
    /**
     * Call before the store forgets `etcdKey` because etcd deleted it (seen by the watch, or missing
     * from a relist). Whether it was lost hangs on its last probe (known now) and `leaseAfter`, the
     * registry's one verdict on its lease (the one history's deregistration gives): a stand-in is
     * put in at once, in the same delta as the removal, so a crashed service never flickers out of
     * the lists; it is taken back if the lease lived or was revoked (a deregistration).
     */
    keyGoing(etcdKey: string, leaseAfter: LeaseAfter, removedRevision?: string): void {
      const going = store.instancesOfKey(etcdKey).filter((instance) => !instance.lost);
      if (going.length === 0) return;
      const removedMs = now();
      const removedAt = new Date(removedMs).toISOString();
      const pending: { record: LostRecord; departure: Departure }[] = [];
      /** Gone while their probes passed: still serving, perhaps, once the lease's verdict allows it. */
      const answering: Departing[] = [];
      for (const instance of going) {
        const departure: Departure = { lease: 'gone', drained: instance.drain !== null, lastProbe: instance.lastProbe, failingSince: failingSince.get(instance.key), removedAt };
        const provisional = judgeDeparture(departure);
        if (!provisional.lost) {
          options.onDeparted?.(instance.service);
          if (provisional.checkStillServing && options.probeDeparted && !stopped) {
            const entry: Departing = { ended: false, instance, departure, passingBefore: inRotation(instance.service), removedMs, removedRevision };
            let ofService = departing.get(instance.service);
            if (!ofService) departing.set(instance.service, (ofService = new Map()));
            const earlier = ofService.get(instance.key);
            if (earlier) settle(earlier);
            ofService.set(instance.key, entry);
            answering.push(entry);
          }
          continue;
        }
        const record = standIn(instance, { at: provisional.at, cause: provisional.cause, passingBefore: inRotation(instance.service) }, removedMs, removedRevision);
        pending.push({ record, departure });
      }
      if (pending.length === 0 && answering.length === 0) return;
      // The last registered instance of a service going: show its departures being checked, in this
      // delta, rather than let the service vanish while its instances may serve on.
      showDepartures(new Set(going.map((instance) => instance.service)), new Set(going.map((instance) => instance.key)));
      const settled = leaseAfter.catch((): Departure['lease'] => 'unknown');
      void settled.then((lease) => {
        for (const entry of answering) {
          if (entry.ended) continue;
          entry.departure = { ...entry.departure, lease };
          const verdict = judgeDeparture(entry.departure);
          if (!verdict.lost && verdict.checkStillServing) checkStillServing(entry);
          else settle(entry);
        }
        for (const { record, departure } of pending) {
          // Dismissed, or registered again, while etcd was asked.
          if (records.get(record.storeKey) !== record) continue;
          const verdict = judgeDeparture({ ...departure, lease });
          if (!verdict.lost) {
            forget(record);
            store.removeKey(record.storeKey);
            options.onDeparted?.(record.instance.service);
            continue;
          }
          const lost: Lost = { ...(record.instance.lost as Lost), at: verdict.at, cause: verdict.cause };
          if (lost.cause !== record.instance.lost?.cause) {
            record.instance = { ...record.instance, lost };
            put(record);
          }
          const { instance } = record;
          recordLoss(instance, verdict.at, verdict.cause);
        }
      });
    },
    /** After a relist replaced the store's contents: put the stand-ins back (same keys, so browsers see no change). */
    relisted(): void {
      for (const record of records.values()) put(record);
      // A relist judges every missing key before removing any (registry/sync.ts): only now is it known which services it emptied.
      showDepartures(new Set(departing.keys()), new Set());
    },
    /** An operator's dismissal of a lost instance (by service and id). */
    dismiss(service: string, id: string, actor: string): DismissResult {
      const result = dismissHeld(service, id, actor);
      if (result.ok) rememberDismissal(result.dismissal);
      return result;
    },
    dismissedElsewhere(service, id, actor, told): void {
      const at = told?.at ?? now();
      if (stopped || at + retentionMs <= now()) return;
      dismissHeld(service, id, actor, told);
      rememberDismissal({ service, id, actor, at, ...(told?.revision !== undefined ? { revision: told.revision } : {}) });
    },
    dismissals: () => [...dismissed.values()].filter(({ until }) => until > now()).map(({ until: _until, ...told }) => told),
    count: (): number => [...records.values()].filter((record) => !isCheckingDeparture(record.instance)).length,
    checksDeparture: (service: string, key: string): boolean => departing.get(service)?.has(key) ?? false,
    // Departures still being checked stay here: each replica checks its own (a starting one would only guess).
    held: () => [...records.values()].filter((record) => !isCheckingDeparture(record.instance)).map((record) => ({ instance: record.instance, removedAt: record.removedAt })),
    adopt(instance: Instance, removedAt: number): void {
      const { lost } = instance;
      // A departure still being checked is each replica's own to check: held here, nothing would ever rule on it.
      if (stopped || !lost || lost.checking || records.has(`${LOST_KEY_PREFIX}${instance.key}`)) return;
      if (removedAt <= now() - retentionMs || registeredAgain(instance)) return;
      const until = dismissed.get(dismissedKey(instance.service, instance.id))?.until;
      if (until !== undefined && until > now()) return;
      // Its delete's revision is unknown here: any dismissal of it drops it.
      standIn(instance, lost, removedAt, undefined);
    },
    standInProbed(storeKey: string, probe: LastProbe): void {
      const record = records.get(storeKey);
      const lost = record?.instance.lost;
      if (stopped || !record || !lost?.stillServing) return;
      if (probe.ok) delete record.failing;
      else {
        const failing = record.failing ?? { count: 0, since: probe.at };
        failing.count += 1;
        record.failing = failing;
        if (failing.count >= (options.failAfter?.(record.instance.service) ?? DEFAULT_THRESHOLDS.failAfter)) return stoppedAnswering(record, lost, failing.since, probe);
      }
      // Its row shows this probe: at once when the result differs from the one shown, else at most every
      // `probeRefreshMs` — each update is a delta to every viewer of its service, for each of thousands of stand-ins.
      const shown = record.instance.lastProbe;
      const changed = shown === undefined || shown.ok !== probe.ok || shown.error !== probe.error;
      if (!changed && now() - record.probeShownMs < refreshMs) return;
      record.instance = { ...record.instance, lastProbe: probe };
      record.probeShownMs = now();
      showHealth(record);
    },
    stop(): void {
      stopped = true;
      clearInterval(sweeper);
      queue.clear();
      queuedBy.clear();
      departing.clear();
      for (const check of [...checks.values()]) endCheck(check);
      unsubscribe();
    },
  };
}

