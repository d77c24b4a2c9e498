import type { EventKind, HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import type { History } from '../history/store';
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
 * leader writes each one the history does not already reflect: the old leader's rows are in the
 * shared store, and its latest row of the same kind for that instance tells whether it wrote it
 * (same status reached; same lost or cleared). Judged by state rather than by time, so the replicas'
 * clocks need not agree.
 */
export interface LeaderHistory {
  /** Appends `event` when this replica leads; otherwise keeps it for a hand-over. */
  append(event: NewHistoryEvent): void;
  stop(): void;
}

/** Far longer than a hand-over can take (a lease TTL is at most 60 s), still bounded. */
const MISSED_KEEP_MS = 10 * 60_000;
/** Instances remembered at most (the newest kept): a takeover reads one history row per instance. */
const MISSED_MAX = 10_000;

/** The kinds one instance's rows of a family alternate between. */
const FAMILIES: ReadonlyMap<EventKind, readonly EventKind[]> = new Map<EventKind, readonly EventKind[]>([
  ['health.changed', ['health.changed']],
  ['instance.lost', ['instance.lost', 'instance.lost_cleared']],
  ['instance.lost_cleared', ['instance.lost', 'instance.lost_cleared']],
]);

/** Whether `latest` (the newest recorded row of the family) already says what `event` says. */
const reflects = (latest: HistoryEvent | undefined, event: NewHistoryEvent): boolean =>
  latest !== undefined && latest.kind === event.kind && (event.kind !== 'health.changed' || latest.to === event.to);

export function createLeaderHistory(options: {
  membership: Pick<Membership, 'isLeader' | 'onChange'>;
  history: Pick<History, 'append' | 'query'>;
  log: (line: string) => void;
  now?: () => number;
}): LeaderHistory {
  const { membership, history, log } = options;
  const now = options.now ?? Date.now;
  /** `<first kind of the family> <service> <instance>` → the last event seen while not leading; insertion order is age order. */
  const missed = new Map<string, { event: NewHistoryEvent; seenMs: number }>();
  let leading = membership.isLeader();
  let stopped = false;

  const forgetOld = (): void => {
    for (const [key, { seenMs }] of missed) {
      if (missed.size <= MISSED_MAX && seenMs >= now() - MISSED_KEEP_MS) break;
      missed.delete(key);
    }
  };

  const catchUp = async (entries: NewHistoryEvent[]): Promise<void> => {
    let written = 0;
    for (const event of entries) {
      const family = FAMILIES.get(event.kind);
      if (!family || event.service === undefined || event.instance === undefined) continue;
      const { events } = await history.query({ service: event.service, instance: event.instance, kind: [...family], limit: 1 });
      // Leadership can end again while we read: then the next leader does this.
      if (stopped || !membership.isLeader()) return;
      if (reflects(events[0], event)) continue;
      history.append(event);
      written += 1;
    }
    if (written > 0) log(`history: took over as leader; ${written} row(s) the previous leader had not written added`);
  };

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
    append(event) {
      if (membership.isLeader()) {
        history.append(event);
        return;
      }
      const family = FAMILIES.get(event.kind);
      if (stopped || !family || event.service === undefined || event.instance === undefined) return;
      const key = `${family[0]} ${event.service} ${event.instance}`;
      missed.delete(key);
      missed.set(key, { event, seenMs: now() });
      forgetOld();
    },
    stop() {
      stopped = true;
      unsubscribe();
      missed.clear();
    },
  };
}
