import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import { z } from 'zod';
import { fenceAfterMs, isFenced, leaderOf, type MemberKey } from '@/lib/model/cluster/leadership';
import { ownerOf } from '@/lib/model/cluster/rendezvous';
import { parseJsonSafely } from '../registry/json';

export interface ReplicaMember extends MemberKey {
  host: string;
  pid: number;
  startedAt: string;
}

/**
 * This replica's place among the replicas sharing one etcd: a key under
 * `<control prefix>replicas/` on a lease it keeps alive, and a watch on the others' keys.
 */
export interface Membership {
  readonly id: string;
  /**
   * Registers this replica and follows the others. Resolves once it has joined and read the first
   * member list, or once that first attempt failed (etcd down): joining goes on in the background.
   */
  start(): Promise<void>;
  /** The live replicas, this one included, oldest first. */
  members(): readonly ReplicaMember[];
  /** Whether this replica is responsible for `key` (rendezvous hashing over the live replicas). */
  owns(key: string): boolean;
  /**
   * Whether this replica leads now: it follows the member list (false until one is read, and while
   * a watch etcd ended is opened again), its key is the oldest and its lease is known to be alive.
   */
  isLeader(): boolean;
  /** Called after every change of the member list or of leadership. */
  onChange(listener: () => void): () => void;
  /** Revokes the lease so the others take over at once instead of after a TTL. */
  stop(): Promise<void>;
}

export interface MembershipOptions {
  client: Etcd3;
  controlPrefix: string;
  ttlSeconds: number;
  /** Defaults to host name, pid and a random suffix: unique across restarts. */
  id?: string;
  now?: () => number;
  log?: (line: string) => void;
}

const memberValue = z.object({ host: z.string().max(255), pid: z.number().int().nonnegative(), startedAt: z.string().max(64) });

const RETRY_MS = 1_000;

/** etcd3 words a cancelled watch 'Watcher canceled: <reason>', and etcd gives no reason for a compacted revision. */
const watchEndReason = (error: Error): string =>
  /^Watcher canceled:\s*$/.test(error.message) ? 'etcd cancelled it without a reason, as it does when the revision it resumes from is compacted' : error.message;

export const replicasPrefix = (controlPrefix: string): string => `${controlPrefix}replicas/`;

export function createMembership(options: MembershipOptions): Membership {
  const { client, ttlSeconds } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const ttlMs = ttlSeconds * 1_000;
  const id = options.id ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const prefix = replicasPrefix(options.controlPrefix);
  const self = { host: os.hostname(), pid: process.pid, startedAt: new Date(now()).toISOString() };
  const members = new Map<string, ReplicaMember>();
  const listeners = new Set<() => void>();
  let lease: Lease | undefined;
  let watcher: Watcher | undefined;
  let lastKeepAliveAt = Number.NEGATIVE_INFINITY;
  let wasLeader = false;
  let stopped = false;
  let fenceTimer: NodeJS.Timeout | undefined;
  /** The newest revision the member list shows: a listing's, or an event the watch applied. */
  let followedRevision = 0n;
  /** Watch events and listings applied so far: a listing older than the list is stale only if one came while it was read. */
  let changesApplied = 0;
  /** The revision of the last listing taken: an event at or below it is in the list already (etcd3 replays missed events after a reconnect's listing). */
  let listedRevision = 0n;

  // Not while the member list is not followed (its listing failed after our key went out, or etcd
  // ended the watch): our key alone would make us the eldest.
  const isLeader = (): boolean => watcher !== undefined && !isFenced(lastKeepAliveAt, now(), ttlMs) && leaderOf(members.values()) === id;
  const changed = (): void => {
    wasLeader = isLeader();
    for (const listener of listeners) listener();
  };
  /** Leadership also ends by time alone (keep-alives stop answering): look again when the fence would fall. */
  const armFence = (): void => {
    clearTimeout(fenceTimer);
    if (stopped) return;
    fenceTimer = setTimeout(() => {
      if (wasLeader !== isLeader()) changed();
    }, fenceAfterMs(ttlMs) + 1);
    fenceTimer.unref();
  };

  const remember = (kv: IKeyValue): void => {
    const memberId = kv.key.toString('utf8').slice(prefix.length);
    const parsed = memberValue.safeParse(parseJsonSafely(kv.value));
    if (!memberId || !parsed.success) return;
    members.set(memberId, { id: memberId, createRevision: kv.create_revision, ...parsed.data });
  };
  /**
   * Lists the members: its revision, and whether etcd went back (restored from a backup: older than
   * the list followed, though neither a watch event nor another listing was applied while it was
   * read). Undefined when one was — it would bring back a member that left —, once stopped (read
   * before the revoke deleted our key, it would list us again), or when `stillWanted` says no (a
   * reconnect's listing for a watch since replaced).
   */
  const relist = async (stillWanted: () => boolean = () => true): Promise<{ revision: string; wentBack: boolean } | undefined> => {
    const changesBefore = changesApplied;
    const response = await client.getAll().prefix(prefix).exec();
    const revision = BigInt(response.header.revision);
    const older = revision < followedRevision;
    if ((older && changesApplied !== changesBefore) || stopped || !stillWanted()) return undefined;
    changesApplied += 1;
    followedRevision = revision;
    listedRevision = revision;
    members.clear();
    for (const kv of response.kvs) remember(kv);
    return { revision: response.header.revision, wentBack: older };
  };
  /** Whether the listing taken already shows this event: applying it again would undo what came after it. */
  const alreadyListed = (kv: IKeyValue): boolean => BigInt(kv.mod_revision) <= listedRevision;
  const applied = (kv: IKeyValue): void => {
    changesApplied += 1;
    const revision = BigInt(kv.mod_revision);
    if (revision > followedRevision) followedRevision = revision;
  };

  const join = async (): Promise<void> => {
    // Until our key is written again we are nobody's elder: the old entry would make us the oldest.
    members.delete(id);
    const current = client.lease(ttlSeconds, { autoKeepAlive: true });
    lease = current;
    /** Whether our key went out on this lease: a lease whose grant failed is 'lost' too, and that failure is the join's own. */
    let held = false;
    current.on('keepaliveSucceeded', () => {
      lastKeepAliveAt = now();
      armFence();
      if (wasLeader !== isLeader()) changed();
    });
    // etcd3 says so only once the lease is surely gone (2 × TTL): join again with a new one.
    current.on('lost', (error) => {
      if (stopped || lease !== current || !held) return;
      lease = undefined;
      log(`replica membership lease lost (${error.message}); joining again`);
      void keepTrying();
    });
    try {
      const written = await current.put(`${prefix}${id}`).value(JSON.stringify(self));
      held = true;
      // Stopped while the put was under way: stop() revoked this lease, so nobody sees our key; nor must we.
      if (stopped) return;
      // Our key is new (or re-attached) as of this write: count it no older than that until the watch says more.
      members.set(id, { id, createRevision: written.header.revision, ...self });
    } catch (error) {
      await current.revoke().catch(() => undefined);
      if (lease === current) lease = undefined;
      throw error;
    }
    lastKeepAliveAt = now();
    armFence();
    if (watcher) changed();
  };

  /** Lists the members, then watches from the next revision; a watch etcd ends (compacted, say) is opened again. */
  const openWatch = async (): Promise<void> => {
    const listed = await relist();
    if (stopped) return;
    if (listed === undefined) throw new Error('the member list read is older than the one followed');
    const { revision } = listed;
    // watcher(), not create(): create() waits until etcd has created the watch — forever while etcd
    // is away — with no handle for stop() to cancel it by. This one is ours at once; etcd3 creates
    // it when it can and re-creates it from its last revision after a dropped connection.
    const opened = client
      .watch()
      .prefix(prefix)
      .startRevision((BigInt(revision) + 1n).toString())
      .watcher();
    watcher = opened;
    const openedAt = now();
    opened.on('put', (kv) => {
      if (watcher !== opened || alreadyListed(kv)) return;
      remember(kv);
      applied(kv);
      changed();
    });
    opened.on('delete', (kv) => {
      if (watcher !== opened || alreadyListed(kv)) return;
      members.delete(kv.key.toString('utf8').slice(prefix.length));
      applied(kv);
      changed();
    });
    let created = false;
    opened.on('connected', (response) => {
      // The first is etcd creating the watch: it starts right after our listing and misses nothing —
      // unless etcd went back meanwhile (restored from a backup): then the listing shows what the
      // restored etcd no longer has, and the watch waits for a revision it will not reach for a while.
      if (!created) {
        created = true;
        if (BigInt(response.header.revision) < BigInt(revision)) ended('etcd went back to an earlier revision before it created the watch, restored from a backup');
        return;
      }
      // etcd3 resumes the watch from its last revision; a relist on reconnection is cheap and certain.
      void relist(() => watcher === opened)
        .then((listed) => {
          if (listed === undefined || watcher !== opened) return;
          // Restored from a backup: the resumed watch waits for a revision etcd will not reach for a while.
          if (listed.wentBack) ended('etcd went back to an earlier revision, restored from a backup');
          else changed();
        })
        .catch(() => undefined);
    });
    /** This watch is over: the list is not followed until a new one opens (at once, or after a second if it ended at once). */
    const ended = (reason: string): void => {
      if (watcher !== opened) return;
      watcher = undefined;
      void opened.cancel().catch(() => undefined);
      // A watch that ends as soon as it is opened would be opened again in a loop: wait as a failed join does.
      const endedAtOnce = now() - openedAt < RETRY_MS;
      if (endedAtOnce) watchNotBefore = now() + RETRY_MS;
      log(`replica membership: watch ended (${reason}); listing again${endedAtOnce ? ` in ${RETRY_MS / 1000} s` : ''}`);
      if (wasLeader) changed();
      void keepTrying();
    };
    opened.on('error', (error: Error) => ended(watchEndReason(error)));
    changed();
  };

  /** Whether the loop below runs or waits for its next attempt: there is one at a time. */
  let trying = false;
  /** Whether our key has been written and the watch opened once: later failures are a rejoin's. */
  let joinedOnce = false;
  let retryTimer: NodeJS.Timeout | undefined;
  /**
   * When a watch that etcd ended as soon as it was opened may be opened again. Kept by the loop
   * below whatever step it is at: a rejoin under way when the watch ended opened it again at once.
   */
  let watchNotBefore = Number.NEGATIVE_INFINITY;
  const tryAgainLater = (delayMs = RETRY_MS): void => {
    retryTimer = setTimeout(() => {
      trying = false;
      void keepTrying();
    }, delayMs);
    retryTimer.unref();
  };
  /**
   * Until our key is on a live lease and the watch is open, joins and opens what is missing,
   * RETRY_MS after each failure. One loop for the start, a lost lease and an ended watch: a lost
   * lease or ended watch met while it runs or waits is its next step, not a second loop (two each
   * held a timer and a lease; stop() cleared only one, and the other joined after it). With etcd
   * refusing connections a join fails in a millisecond: joining again at once looped thousands of
   * times a second.
   */
  const keepTrying = async (): Promise<void> => {
    if (stopped || trying) return;
    trying = true;
    try {
      while (!stopped && (lease === undefined || watcher === undefined)) {
        if (lease === undefined) await join();
        if (stopped || watcher !== undefined) continue;
        const waitMs = watchNotBefore - now();
        if (waitMs > 0) {
          // The loop stays ours (`trying`) until the timer runs it again.
          tryAgainLater(waitMs);
          return;
        }
        await openWatch();
      }
      joinedOnce = true;
      trying = false;
    } catch (error) {
      if (stopped) return;
      const failing = joinedOnce ? 'joining again failed' : 'cannot join through etcd yet';
      log(`replica membership: ${failing} (${error instanceof Error ? error.message : String(error)}); trying again in ${RETRY_MS / 1000} s`);
      tryAgainLater();
    }
  };

  return {
    id,
    async start() {
      // etcd down at start must not stop the console from starting: joining goes on in the background.
      await keepTrying();
    },
    members: () => [...members.values()].sort((a, b) => (BigInt(a.createRevision) < BigInt(b.createRevision) ? -1 : 1)),
    owns(key) {
      const ids = [...members.keys()];
      if (!members.has(id)) ids.push(id);
      return ownerOf(key, ids) === id;
    },
    isLeader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      clearTimeout(fenceTimer);
      clearTimeout(retryTimer);
      // Followed no more from here: events etcd sends before it has cancelled the watch change nothing.
      const following = watcher;
      watcher = undefined;
      // A watch etcd has not created yet is cancelled too: it is never opened.
      await following?.cancel().catch(() => undefined);
      await lease?.revoke().catch(() => undefined);
      members.delete(id);
    },
  };
}
