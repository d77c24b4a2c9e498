import type { EventKind, HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { LATEST_PER_INSTANCE_MAX, type History } from '../history/store';
import type { Membership } from './membership';

/**
 * History rows that every replica sees alike but that no natural key makes idempotent (health
 * changes, lost instances) are written by the leader alone. A leader killed without a word keeps its
 * membership key, and so its leadership, until etcd expires the lease (SWITCHYARD_REPLICA_TTL_SECONDS):
 * what changes meanwhile is seen by every survivor and written by none. Measured
 * (tests/integration/replica-handover.test.ts): the services that failed in that window had no
 * `health.changed` row at all, so their incident was missing from the history.
 *
 * So a replica that does not lead remembers the last such event per instance, and on becoming the
 * leader writes each one the history does not already reflect. The latest row of the family for that
 * instance in the shared history, whoever wrote it, decides: one that says the same (same status
 * reached; same lost or cleared) means it was written; one as late as the event or later means the
 * history has moved past it (this replica saw the change late, or missed what followed), and writing
 * it would put a back-dated duplicate under that row. Only the event's time and that row's are
 * compared (DEPLOYMENT "Known limits", replica clocks). The rows are looked up in one query per
 * chunk of `LATEST_PER_INSTANCE_MAX` instances, one chunk at a time: a takeover with 10,000 instances
 * to check made 10,000 queries in a row.
 *
 * While an instance's chunk is still being looked up, what this replica, now leading, sees of that
 * instance (same family) is held and appended once the kept event is decided, after it: written at
 * once, a recovery seen 10 ms after the takeover was committed (within 50 ms) before the lookup read
 * the history, and the lookup took it for a later row and dropped the failure kept from before it,
 * so the incident was missing from the history. Only the catch-up's own writes could be such rows.
 */
export interface LeaderHistory {
  /** Appends `event` when this replica leads; otherwise keeps it for a hand-over. */
  append(event: NewHistoryEvent): void;
  stop(): void;
}

/** Far longer than a hand-over can take (a lease TTL is at most 60 s), still bounded. */
const MISSED_KEEP_MS = 10 * 60_000;
/** Instances remembered at most (the newest kept): a takeover reads one history row per instance, in chunks. */
const MISSED_MAX = 10_000;

const LOST_FAMILY: readonly EventKind[] = ['instance.lost', 'instance.lost_cleared'];
/** The kinds one instance's rows of a family alternate between (one array per family: the catch-up groups by it). */
const FAMILIES: ReadonlyMap<EventKind, readonly EventKind[]> = new Map<EventKind, readonly EventKind[]>([
  ['health.changed', ['health.changed']],
  ['instance.lost', LOST_FAMILY],
  ['instance.lost_cleared', LOST_FAMILY],
]);

/** Whether `latest` (the newest recorded row of the family) already says what `event` says. */
const reflects = (latest: HistoryEvent | undefined, event: NewHistoryEvent): boolean =>
  latest !== undefined && latest.kind === event.kind && (event.kind !== 'health.changed' || latest.to === event.to);

/** Whether `event` is still to be written: the history's latest row of its family neither says it nor comes at or after it. */
export const stillToWrite = (latest: HistoryEvent | undefined, event: NewHistoryEvent): boolean =>
  !reflects(latest, event) && !(latest !== undefined && Date.parse(latest.at) >= Date.parse(event.at));

const instanceKey = (service: string, instance: string): string => `${service}\u0000${instance}`;
/** One instance's family: NUL-separated, as service names and instance ids may contain spaces ("a b"/"c" is not "a"/"b c"). */
const familyKey = (family: readonly EventKind[], service: string, instance: string): string => `${family[0]}\u0000${instanceKey(service, instance)}`;

export function createLeaderHistory(options: {
  membership: Pick<Membership, 'isLeader' | 'onChange'>;
  history: Pick<History, 'append' | 'latestPerInstance'>;
  log: (line: string) => void;
  now?: () => number;
}): LeaderHistory {
  const { membership, history, log } = options;
  const now = options.now ?? Date.now;
  /** `familyKey` → the last event seen while not leading; insertion order is age order. */
  const missed = new Map<string, { event: NewHistoryEvent; seenMs: number }>();
  /** `familyKey` → events seen while leading, held until the catch-up (`owner`) has decided that instance's kept event. */
  const awaiting = new Map<string, { owner: object; held: NewHistoryEvent[] }>();
  let leading = membership.isLeader();
  let stopped = false;

  const forgetOld = (): void => {
    for (const [key, { seenMs }] of missed) {
      if (missed.size <= MISSED_MAX && seenMs >= now() - MISSED_KEEP_MS) break;
      missed.delete(key);
    }
  };

  /** Appends what was held for `key` (or keeps it, if leadership has gone meanwhile), once `owner`'s catch-up is done with it. */
  const release = (key: string, owner: object): void => {
    const entry = awaiting.get(key);
    if (!entry || entry.owner !== owner) return;
    awaiting.delete(key);
    for (const event of entry.held) append(event);
  };

  const catchUp = async (entries: NewHistoryEvent[]): Promise<void> => {
    const owner = {};
    let written = 0;
    // Per family (its kinds are what one lookup asks for), one query per chunk of instances, in turn.
    const byFamily = new Map<readonly EventKind[], { event: NewHistoryEvent; service: string; instance: string; key: string }[]>();
    for (const event of entries) {
      const family = FAMILIES.get(event.kind);
      if (!family || event.service === undefined || event.instance === undefined) continue;
      let events = byFamily.get(family);
      if (!events) byFamily.set(family, (events = []));
      const key = familyKey(family, event.service, event.instance);
      events.push({ event, service: event.service, instance: event.instance, key });
      // From now until its chunk is decided, what is seen of this instance waits (before any await).
      awaiting.set(key, { owner, held: awaiting.get(key)?.held ?? [] });
    }
    try {
      for (const [family, events] of byFamily) {
        for (let first = 0; first < events.length; first += LATEST_PER_INSTANCE_MAX) {
          const chunk = events.slice(first, first + LATEST_PER_INSTANCE_MAX);
          const rows = await history.latestPerInstance(chunk, family);
          // Leadership can end again while we read: then the next leader does this.
          if (stopped || !membership.isLeader()) return;
          const latest = new Map(rows.map((row) => [instanceKey(row.service ?? '', row.instance ?? ''), row]));
          for (const { event, service, instance, key } of chunk) {
            if (stillToWrite(latest.get(instanceKey(service, instance)), event)) {
              history.append(event);
              written += 1;
            }
            release(key, owner);
          }
        }
      }
      if (written > 0) log(`history: took over as leader; ${written} row(s) the previous leader had not written added`);
    } finally {
      // Aborted (leadership gone, stopped, a failed lookup): what was held is not held any longer.
      for (const events of byFamily.values()) for (const { key } of events) release(key, owner);
    }
  };

  function append(event: NewHistoryEvent): void {
    const family = FAMILIES.get(event.kind);
    const key = family && event.service !== undefined && event.instance !== undefined ? familyKey(family, event.service, event.instance) : undefined;
    if (membership.isLeader()) {
      const waiting = key === undefined ? undefined : awaiting.get(key);
      if (waiting) waiting.held.push(event);
      else history.append(event);
      return;
    }
    if (stopped || key === undefined) return;
    missed.delete(key);
    missed.set(key, { event, seenMs: now() });
    forgetOld();
  }

  const unsubscribe = membership.onChange(() => {
    const leadsNow = membership.isLeader();
    if (leadsNow && !leading && missed.size > 0) {
      forgetOld();
      const entries = [...missed.values()].map((entry) => entry.event);
      missed.clear();
      void catchUp(entries).catch((error: unknown) => log(`history: catching up after becoming leader failed: ${error instanceof Error ? error.message : String(error)}`));
    }
    leading = leadsNow;
  });

  return {
    append,
    stop() {
      stopped = true;
      unsubscribe();
      missed.clear();
      awaiting.clear();
    },
  };
}
