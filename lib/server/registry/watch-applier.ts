import type { IWatchResponse } from 'etcd3';
import type { RegistryTarget } from '../store/store';
import { messageOf, stackOf } from './error-text';
import { keyName } from './key-name';

export type WatchEvent = IWatchResponse['events'][number];

/**
 * Watch events applied in one turn of the event loop — one iteration, its poll and check phases
 * together (see `nextTurn`): ~10–20 ms of work for deletes of failing instances.
 */
export const WATCH_EVENTS_PER_TURN = 250;

/**
 * Watch events received and not yet applied beyond which the session is ended and etcd relisted:
 * 200 turns of `WATCH_EVENTS_PER_TURN`, 2–4 s behind etcd, and a few tens of MB of responses held.
 * Applying events inside the stream's `data` handler used to hold etcd back; applying them in turns
 * does not, so without a bound a flood the loop cannot keep up with would grow the queue without
 * end. A relist costs O(keys), what an outage costs anyway.
 */
export const MAX_PENDING_WATCH_EVENTS = 50_000;

/**
 * How far the backlog bound grows, as a multiple of its base: each relist the bound caused doubles
 * it, until a session has applied every event it received (the replay included), when it is back to
 * the base. The watch opens after the listing, from its revision on, so its first events are etcd's
 * replay of what was written while the listing took: under a sustained load of more writes than the
 * bound in one listing, a fixed bound tripped on every replay and the registry never synced.
 */
export const MAX_BACKLOG_GROWTH = 8;

/** The backlog bound a registry's sessions share: it grows with the relists it causes (`MAX_BACKLOG_GROWTH`). */
export interface BacklogBound {
  /** Events received and not yet applied beyond which the session ends. */
  limit(): number;
  /** A session ended over the bound: the next one gets twice as much room. */
  tripped(): void;
  /** A session applied everything it received: back to the base. */
  caughtUp(): void;
}

export function createBacklogBound(base: number): BacklogBound {
  let limit = base;
  return {
    limit: () => limit,
    tripped() {
      limit = Math.min(limit * 2, base * MAX_BACKLOG_GROWTH);
    },
    caughtUp() {
      limit = base;
    },
  };
}

/** The part of a list+watch session the applier needs (sync.ts's `Session`). */
export interface WatchSession {
  readonly ended: boolean;
  /** `ours`: Switchyard's own failure, not etcd's; `detail`: the stack of what threw. */
  end(reason: string, ours: boolean, detail?: string): void;
}

export interface WatchApplierOptions {
  session: WatchSession;
  /** Applies one event to the store, the lost tracker and history; what it throws ends the session. */
  apply(event: WatchEvent): void;
  /** Where a response's revision goes once its last event is applied. */
  store: Pick<RegistryTarget, 'revision' | 'setRevision'>;
  /** Counts a response's events as it starts being applied. */
  countEvents(count: number): void;
  backlog: BacklogBound;
}

/** A session's watch responses on their way into the store. */
export interface WatchApplier {
  /** Takes a response (the watchers' `data` handler); never throws. Held until `release`. */
  push(response: IWatchResponse): void;
  /** Starts applying, once the listing is applied; `caughtUp` runs once what was received until now is applied (at once if it fits this turn's budget). */
  release(caughtUp: () => void): void;
  /** Events received and not yet applied. */
  pending(): number;
}

/** Before `release`, responses are held; after it, `caughtUp` waits for the ones held until they are applied. */
type Stage = { name: 'holding' } | { name: 'catching-up'; heldLeft: number; caughtUp: () => void } | { name: 'applying' };

/**
 * Applies a session's watch responses in order, at most WATCH_EVENTS_PER_TURN events per turn of
 * the event loop, whatever the responses: one delete of a whole prefix is one response of
 * thousands of events, and a mass lease expiry (one lease per instance) is thousands of small
 * responses read from the socket at once; each event goes through the store, the lost tracker and
 * history's lifecycle, and 5,000 held the loop ~300 ms in one go, sockets, probes and requests
 * waiting. The budget is the turn's: spending it schedules an immediate that renews it (and goes
 * on with the queue) on the next turn, the next iteration of the loop (see `nextTurn`). A
 * response is applied as it arrives only when none waits before it and budget remains; else it
 * waits its turn. The revision moves when a response's last event is applied. An ended session
 * applies nothing more, not even the rest of the response it ended in (its successor relists).
 * Beyond the backlog bound's limit of events waiting, the session ends and etcd is relisted; a
 * failure while applying ends it too, said as what it is.
 */
export function createWatchApplier({ session, apply, store, countEvents, backlog }: WatchApplierOptions): WatchApplier {
  const queue: IWatchResponse[] = [];
  /** Events of `queue[0]` applied so far. */
  let applied = 0;
  /** Events of `queue` not yet applied (a running sum: the queue can hold 50,000 responses). */
  let pending = 0;
  let stage: Stage = { name: 'holding' };
  /** Left of this turn's budget; less than a whole one means its renewal is scheduled (`spend`). */
  let budget = WATCH_EVENTS_PER_TURN;
  /** The budget as the last check phase (`nextTurn`) left it: less now means some was spent in a poll phase since. */
  let budgetAtLastCheck = WATCH_EVENTS_PER_TURN;
  /** The event being applied, to say which one threw. */
  let applying: WatchEvent | undefined;

  const drop = (): void => {
    queue.length = 0;
    applied = 0;
    pending = 0;
  };
  const spend = (): void => {
    if (budget === WATCH_EVENTS_PER_TURN) setImmediate(nextTurn);
    budget -= 1;
  };
  /** Applies from the queue while this turn's budget lasts; throws what applying threw. */
  const drain = (): void => {
    for (let response = queue[0]; response; response = queue[0]) {
      if (budget <= 0 && applied < response.events.length) return;
      if (applied === 0) countEvents(response.events.length);
      for (let event = response.events[applied]; event && budget > 0; event = response.events[applied]) {
        applying = event;
        apply(event);
        applying = undefined;
        applied += 1;
        pending -= 1;
        spend();
        // A lineage-marker change ends the session mid-response: the rest is the relist's to apply.
        if (session.ended) return;
      }
      if (applied < response.events.length) return;
      queue.shift();
      applied = 0;
      if (stage.name === 'catching-up' && stage.heldLeft > 0) stage.heldLeft -= 1;
      if (BigInt(response.header.revision) > BigInt(store.revision())) store.setRevision(response.header.revision);
      // Caught up with etcd, replay included (it is the first response when there is one).
      if (queue.length === 0) backlog.caughtUp();
    }
  };
  const failed = (what: string, error: unknown): void => {
    drop();
    session.end(`${what} failed: ${messageOf(error)}`, true, stackOf(error));
  };
  const step = (): void => {
    if (session.ended) return drop();
    if (stage.name === 'holding') return;
    try {
      drain();
    } catch (error) {
      // Half a response applied, the rest stuck behind it: only a relist puts the store right.
      const event = applying;
      applying = undefined;
      failed(event ? `applying the watched ${event.type === 'Put' ? 'put' : 'delete'} of ${keyName(event.kv.key)} (revision ${event.kv.mod_revision})` : 'applying the watch', error);
      return;
    }
    if (session.ended) return drop();
    if (stage.name === 'catching-up' && stage.heldLeft === 0) {
      const { caughtUp } = stage;
      stage = { name: 'applying' };
      try {
        caughtUp();
      } catch (error) {
        failed('marking the registry synced', error);
      }
    }
  };
  /**
   * Renews the budget, in the check phase: unless some of it was spent since the last check phase —
   * a response applied as it arrived in this iteration's poll phase — when the renewal waits for the
   * next iteration's check phase, so that poll and check of one iteration share one budget (renewing
   * at once applied up to ~500 events in one iteration, the poll phase's rest of the budget and the
   * check phase's fresh one).
   */
  const nextTurn = (): void => {
    if (budget < budgetAtLastCheck) {
      budgetAtLastCheck = budget;
      setImmediate(nextTurn);
      return;
    }
    budget = WATCH_EVENTS_PER_TURN;
    step();
    budgetAtLastCheck = budget;
  };
  return {
    push(response) {
      if (session.ended) return;
      queue.push(response);
      pending += response.events.length;
      const bound = backlog.limit();
      if (pending > bound) {
        const behind = pending;
        drop();
        backlog.tripped();
        session.end(`watch backlog of ${behind} events not yet applied is over ${bound}: applying falls behind what etcd sends`, true);
        return;
      }
      if (queue.length === 1 && budget > 0) step();
    },
    release(caughtUp) {
      stage = { name: 'catching-up', heldLeft: queue.length, caughtUp };
      step();
    },
    pending: () => pending,
  };
}
