import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Drain } from '@/lib/model/instance';
import type { Departure } from '@/lib/model/status/lost';
import { describeEtcdError } from '../etcd/errors';
import { drainKey, type DecodedKey, type RegistryTarget } from '../store/store';
import { decodeEntry, isRecognised } from './decode';
import { messageOf, stackOf } from './error-text';
import { keyName } from './key-name';
import { parseDrainKey, parseDrainValue } from './drain-keys';
import { listPages } from './listing';
import { createUnrecognisedCounter, type Diagnostics } from './unrecognised';
import { createLeaseTtlLookup } from './lease-ttl';
import { createLeaseEndJudge, type LeaseEnd } from './lease-end';
import { createLifecycle, type OpenRegistration } from './lifecycle';
import { createLineageBook, lineageKey, putMarkerBack, resolveLineage, type LineageBook } from './lineage';
import { createBacklogBound, createWatchApplier, MAX_PENDING_WATCH_EVENTS, type WatchApplier } from './watch-applier';

export interface RegistryCounters {
  watchEvents(count: number): void;
  relists(): void;
}

export interface RegistryOptions {
  client: Etcd3;
  store: RegistryTarget;
  /** Prefixes to watch; empty = the whole keyspace. */
  prefixes: string[];
  controlPrefix: string;
  counters: RegistryCounters;
  log: (message: string) => void;
  /** Pause between attempts while etcd is unreachable; the first pause after our own failure (then doubled, see `MAX_OWN_RETRY_MS`). */
  retryMs?: number;
  /** How the loop waits between attempts (default: a timer); tests pass one that notes the pauses. */
  wait?: (ms: number) => Promise<void>;
  /** How often etcd is asked for its cluster id and revision, to catch a restore or silent stall. */
  heartbeatMs?: number;
  /** Registrations, deregistrations and outages, for the history store. */
  onHistory?: (event: NewHistoryEvent) => void;
  /** Registrations the history store holds as open: a key gone while Switchyard was down is then closed. */
  openRegistrations?: OpenRegistration[];
  /** Drains the history store holds as not lifted, likewise. */
  openDrains?: OpenRegistration[];
  /** Lineages recorded so far (default: in memory, for this run only). */
  lineages?: LineageBook;
  /** How the heartbeat asks etcd for its cluster id and revision (default: `maintenance.status`). */
  etcdStatus?: () => Promise<{ clusterId: string; revision: string }>;
  /**
   * Just before a registration key deleted in etcd leaves the store (lost-instance detection), by a
   * watched delete or because a relist no longer lists it, with what became of its lease: the same
   * verdict history's deregistration gives (one lookup per lease and delete revision), and the
   * delete's revision when the watch saw it (a relist knows only that it went before its listing).
   */
  onKeyGoing?: (etcdKey: string, leaseAfter: Promise<Departure['lease']>, deletedRevision: string | undefined) => void;
  /** Right after a relist replaced the store's contents. */
  onRelisted?: () => void;
  /** Watch events received and not yet applied beyond which the session is ended and etcd relisted (default `MAX_PENDING_WATCH_EVENTS`). */
  maxPendingWatchEvents?: number;
}

export interface Registry {
  start(): void;
  stop(): Promise<void>;
  /** Resolves once the first full listing, and the watch events (etcd's replay from just after the listing's revision) that arrived before it was applied, have been applied. */
  synced(): Promise<void>;
  diagnostics(): Diagnostics;
  /** The lineage of the keyspace as last listed (registry/lineage.ts); '' before the first listing. */
  lineage(): string;
}

/** A decoded key as listed: what the store needs, plus the create revision the lifecycle needs. */
interface ListedKey extends DecodedKey {
  createRevision: string;
}

/**
 * Longest pause before relisting after our own failures in a row (an apply that throws, the
 * backlog bound): the pause starts at `retryMs` and doubles each time until the registry is synced
 * again, so a failure that repeats on every listing does not list etcd almost continuously.
 */
export const MAX_OWN_RETRY_MS = 30_000;

/** Why the current watch session ended; every cause leads to a relist and diff. */
class WatchTrouble extends Error {
  /**
   * `ours`: Switchyard's own failure (applying or decoding failed, too long a backlog), not etcd's: no
   * outage is reported. `detail`: the stack of what threw, logged once per distinct cause.
   */
  constructor(
    message: string,
    readonly ours = false,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/**
 * One list+watch session. Its heartbeat and watchers hold it, not "whatever session is current",
 * so a late callback of an ended session cannot end its successor.
 */
interface Session {
  ended: boolean;
  /** `ours`, `detail`: see `WatchTrouble`. */
  end(reason: string, ours?: boolean, detail?: string): void;
  trouble: Promise<WatchTrouble>;
}

function openSession(): Session {
  let resolve: (reason: WatchTrouble) => void = () => undefined;
  const session: Session = {
    ended: false,
    trouble: new Promise<WatchTrouble>((r) => (resolve = r)),
    end(reason, ours = false, detail) {
      if (session.ended) return;
      session.ended = true;
      resolve(new WatchTrouble(reason, ours, detail));
    },
  };
  return session;
}

/** Two failures have the same cause when their messages differ only in numbers (timings, ports). */
const sameCause = (a: string | undefined, b: string): boolean => a?.replace(/[\d.]+/g, '') === b.replace(/[\d.]+/g, '');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRegistry(options: RegistryOptions): Registry {
  const { client, store, controlPrefix, counters, log } = options;
  const retryMs = options.retryMs ?? 250;
  /** The pause under way, cleared by `stop` (a 30 s timer would otherwise keep a stopping process alive). */
  let pauseTimer: ReturnType<typeof setTimeout> | undefined;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => (pauseTimer = setTimeout(resolve, ms))));
  const backlog = createBacklogBound(options.maxPendingWatchEvents ?? MAX_PENDING_WATCH_EVENTS);
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const watched = options.prefixes.length === 0 ? [''] : [...new Set([...options.prefixes, controlPrefix])];
  // Under prefixes the operator named, an unleased address-valued key is a registration (README "Naming and leases").
  const decodeOptions = { trustUnleased: options.prefixes.length > 0 };
  const unrecognised = createUnrecognisedCounter();
  const leaseTtls = createLeaseTtlLookup(client, (lease, ttl) => store.setLeaseTtl(lease, ttl));
  const emit = (event: NewHistoryEvent): void => options.onHistory?.(event);
  const leaseEnds = createLeaseEndJudge({
    remainingSeconds: async (lease) => Number((await client.leaseClient.leaseTimeToLive({ ID: lease })).TTL),
    earliestExpiry: (lease) => leaseTtls.earliestExpiry(lease),
    onEnded: (lease) => leaseTtls.forget(lease),
  });
  const lifecycle = createLifecycle(emit, (lease, revision) => leaseEnds.judge(lease, revision));
  const asDeparture: Record<LeaseEnd, Departure['lease']> = { alive: 'alive', revoked: 'revoked', ended: 'gone', unknown: 'unknown' };
  /**
   * Tells the lost tracker `etcdKey` is going at `revision` (`watched`: the delete's own, not a
   * listing's); to be called while the store still holds the key's lease.
   */
  const keyGoing = (etcdKey: string, revision: string, watched: boolean): void => {
    if (!options.onKeyGoing) return;
    const lease = store.leaseOfKey(etcdKey);
    options.onKeyGoing(etcdKey, lease === undefined ? Promise.resolve('none') : leaseEnds.judge(lease, revision).then((end) => asDeparture[end]), watched ? revision : undefined);
  };
  const lineages = options.lineages ?? createLineageBook([]);
  const lineageMarker = lineageKey(controlPrefix);
  const etcdStatus =
    options.etcdStatus ??
    (async () => {
      const { header } = await client.maintenance.status();
      return { clusterId: header.cluster_id, revision: header.revision };
    });
  const restored = lifecycle.restore(options.openRegistrations ?? [], options.openDrains ?? []);
  if (restored > 0) log(`registry: ${restored} registrations and drains open in history; any etcd no longer has are closed at the first listing`);
  let listedBefore = false;
  let troubleSince: number | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let watchers: Watcher[] = [];
  let current: Session | undefined;
  let clusterId = '';
  let lineage = '';
  /** Why the next relist happens, when it is our own failure (said in its history event). */
  let relistReason: string | undefined;
  /** Our own failures since the registry was last synced: the pause before the next relist doubles with each. */
  let ownFailures = 0;
  /** Causes of our own failures seen (numbers aside, see `sameCause`), with how often: the stack is logged the first time only. */
  const ownCauses = new Map<string, number>();
  /** Ends the pause between attempts when the registry is stopped (a back-off can be 30 s). */
  let wakeUp: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => (wakeUp = resolve));
  let resolveSynced: () => void = () => undefined;
  const firstSync = new Promise<void>((resolve) => (resolveSynced = resolve));

  /** `etcdKey` is the key's name (key-name.ts): twins that differ only in invalid UTF-8 bytes stay two keys. */
  /** The key's instances, or why it has none: a key a framework writes beside them, or one not recognised at all. */
  const decode = (etcdKey: string, kv: IKeyValue): ListedKey | 'not-an-instance' | 'unrecognised' => {
    const lease = kv.lease && kv.lease !== '0' ? kv.lease : undefined;
    const registrations = decodeEntry({ key: etcdKey, value: kv.value, lease }, decodeOptions);
    if (!isRecognised(registrations)) return 'unrecognised';
    if (registrations.length === 0) return 'not-an-instance';
    return { etcdKey, lease, registrations, createRevision: kv.create_revision };
  };

  const applyPut = (kv: IKeyValue, session: Session): void => {
    const etcdKey = keyName(kv.key);
    if (etcdKey === lineageMarker) {
      if (kv.value.toString('utf8') !== lineage) session.end('etcd lineage marker changed');
      return;
    }
    if (etcdKey.startsWith(controlPrefix)) {
      const target = parseDrainKey(controlPrefix, etcdKey);
      if (!target) return;
      const drain = parseDrainValue(kv.value);
      store.setDrain(target.service, target.id, drain);
      lifecycle.drainPut(etcdKey, kv.create_revision, kv.lease && kv.lease !== '0' ? kv.lease : undefined, target, drain);
      return;
    }
    const decoded = decode(etcdKey, kv);
    const listed = typeof decoded === 'string' ? undefined : decoded;
    lifecycle.put(etcdKey, kv.create_revision, listed?.lease, listed?.registrations ?? null);
    if (decoded === 'unrecognised') unrecognised.count(etcdKey);
    else unrecognised.forget(etcdKey);
    if (listed) {
      store.upsertKey(listed);
      if (listed.lease) leaseTtls.want(listed.lease);
    } else store.removeKey(etcdKey);
  };

  const applyDelete = (kv: IKeyValue): void => {
    const etcdKey = keyName(kv.key);
    if (etcdKey === lineageMarker) {
      if (lineage) void putMarkerBack(client, controlPrefix, lineage);
      return;
    }
    if (etcdKey.startsWith(controlPrefix)) {
      const target = parseDrainKey(controlPrefix, etcdKey);
      if (target) store.setDrain(target.service, target.id, null);
      lifecycle.drainDelete(etcdKey, kv.mod_revision);
      return;
    }
    unrecognised.forget(etcdKey);
    keyGoing(etcdKey, kv.mod_revision, true);
    lifecycle.delete(etcdKey, kv.mod_revision);
    store.removeKey(etcdKey);
  };

  /**
   * Lists every watched prefix at one revision; `apply` then replaces the store's view with it. Each
   * page is decoded while the next is fetched; nothing is applied until the whole listing has
   * arrived, so a listing cut short by an outage changes nothing.
   */
  const relist = async (): Promise<{ revision: string; apply: () => void }> => {
    let revision: string | undefined;
    const decodedKeys: ListedKey[] = [];
    // One object per key serves the store and the lifecycle alike (a relist of 100,000 keys allocates enough).
    const listing = new Map<string, ListedKey>();
    const drains = new Map<string, Drain>();
    const drainKeys: { etcdKey: string; createRevision: string; lease: string | undefined; target: { service: string; id: string }; drain: Drain | null }[] = [];
    const unrecognisedKeys: string[] = [];
    let marker: IKeyValue | undefined;
    const decodePage = (kvs: IKeyValue[]): void => {
      for (const kv of kvs) {
        const etcdKey = keyName(kv.key);
        if (etcdKey === lineageMarker) {
          marker = kv;
          continue;
        }
        if (etcdKey.startsWith(controlPrefix)) {
          const target = parseDrainKey(controlPrefix, etcdKey);
          const drain = target ? parseDrainValue(kv.value) : null;
          if (target && drain) drains.set(drainKey(target.service, target.id), drain);
          if (target) drainKeys.push({ etcdKey, createRevision: kv.create_revision, lease: kv.lease && kv.lease !== '0' ? kv.lease : undefined, target, drain });
          continue;
        }
        const decoded = decode(etcdKey, kv);
        if (decoded === 'unrecognised') unrecognisedKeys.push(etcdKey);
        else if (decoded !== 'not-an-instance') {
          decodedKeys.push(decoded);
          listing.set(etcdKey, decoded);
        }
      }
    };
    // A page that fails to decode is our own failure, not etcd's: said so, not reported as an outage.
    const onPage = (kvs: IKeyValue[]): void => {
      try {
        decodePage(kvs);
      } catch (error) {
        throw new WatchTrouble(`decoding the listing failed: ${messageOf(error)}`, true, stackOf(error));
      }
    };
    for (const prefix of watched) {
      const page = await listPages(client, prefix, revision, onPage);
      revision = page.revision;
      if (clusterId && page.clusterId !== clusterId) log(`etcd cluster id changed ${clusterId} → ${page.clusterId}`);
      clusterId = page.clusterId;
    }
    const listedAt = revision ?? '0';
    const resolved = await resolveLineage({ client, controlPrefix, marker, clusterId, revision: listedAt, book: lineages });
    if (resolved.change) log(`registry: ${resolved.change}`);
    lineage = resolved.lineage;
    lineages.record(lineage, clusterId, listedAt);
    const apply = (): void => {
      lifecycle.setLineage(lineage);
      unrecognised.reset();
      for (const etcdKey of unrecognisedKeys) unrecognised.count(etcdKey);
      // Known again after a restart, so a later TTL expiry is still recorded (replays are idempotent).
      for (const { etcdKey, createRevision, lease, target, drain } of drainKeys) lifecycle.drainPut(etcdKey, createRevision, lease, target, drain);
      // Keys deleted while not watching (DESIGN §6): an instance whose lease ran out during an outage is still lost.
      if (listedBefore) for (const etcdKey of [...store.etcdKeys()]) if (!listing.has(etcdKey)) keyGoing(etcdKey, listedAt, false);
      store.replaceAll(decodedKeys, drains, listedAt);
      lifecycle.drainsListed(new Set(drainKeys.map(({ etcdKey }) => etcdKey)));
      for (const decoded of decodedKeys) if (decoded.lease) leaseTtls.want(decoded.lease);
      options.onRelisted?.();
      const { added, removed } = lifecycle.replace(listing, !listedBefore);
      if (listedBefore) {
        const after = relistReason ? ` after ${relistReason}` : '';
        emit({ at: new Date().toISOString(), kind: 'registry.resynced', detail: `relisted at revision ${listedAt}${after}: ${added} appeared, ${removed} vanished while not watching` });
      }
      relistReason = undefined;
      listedBefore = true;
      counters.relists();
    };
    return { revision: listedAt, apply };
  };

  /** Watches from just after `revision`, each response handed to `applier` (which holds them until released). */
  const watchFrom = async (revision: string, session: Session, applier: WatchApplier): Promise<void> => {
    const next = (BigInt(revision) + 1n).toString();
    for (const prefix of watched) {
      const watcher = await client.watch().prefix(prefix).startRevision(next).create();
      watchers.push(watcher);
      watcher.on('data', (response) => {
        // A cancelled watcher's late events would undo what the next listing established.
        if (session.ended) return;
        applier.push(response);
      });
      watcher.on('disconnected', (error) => session.end(`etcd connection lost: ${error.message}`));
      watcher.on('error', (error) => session.end(`watch failed: ${error.message}`));
      watcher.on('end', () => session.end('watch ended'));
    }
  };

  const heartbeat = async (session: Session): Promise<void> => {
    while (!session.ended && !stopped) {
      await sleep(heartbeatMs);
      if (session.ended || stopped) return;
      // What we had seen before asking: etcd's answer can only be behind that if it went back in time.
      const seen = BigInt(store.revision());
      const sessionCluster = clusterId;
      try {
        const status = await etcdStatus();
        if (session.ended) return;
        if (sessionCluster && status.clusterId !== sessionCluster) session.end('etcd cluster id changed');
        else if (BigInt(status.revision) < seen) session.end('etcd revision went backwards');
        else lineages.record(lineage, sessionCluster, store.revision());
      } catch (error) {
        session.end(`etcd unreachable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const closeWatchers = async (): Promise<void> => {
    const closing = watchers;
    watchers = [];
    await Promise.allSettled(closing.map((watcher) => watcher.cancel()));
  };

  const session = async (): Promise<void> => {
    const own = openSession();
    current = own;
    try {
      const listed = await relist();
      // The watch opens after the listing, from its revision + 1: its first events are etcd's replay of
      // what was written while the listing took. It is up before the listing is applied; what it sends
      // meanwhile is held (most of the replay arrives after, and is applied in turns). The listing,
      // the held events and the status then happen in one step when the held events fit one turn's
      // budget: what applying sets off in the store's subscribers (probe scheduling, summaries, the
      // map's index) runs after the registry is synced, not inside the sync (issue 19: sync ≤ 3× a
      // raw listing). A longer backlog is applied in turns, and the registry says 'connecting' until
      // it is: synced (/readyz, drains) means the store has caught up with what etcd sent.
      const applier = createWatchApplier({
        session: own,
        apply: (event) => {
          if (event.type === 'Put') applyPut(event.kv, own);
          else applyDelete(event.kv);
        },
        store,
        countEvents: (count) => counters.watchEvents(count),
        backlog,
      });
      await watchFrom(listed.revision, own, applier);
      if (own.ended) throw await own.trouble;
      try {
        listed.apply();
      } catch (error) {
        throw new WatchTrouble(`applying the listing failed: ${messageOf(error)}`, true, stackOf(error));
      }
      let caughtUp = false;
      applier.release(() => {
        caughtUp = true;
        ownFailures = 0;
        store.setRegistryStatus({ state: 'synced' });
        if (troubleSince !== undefined) {
          emit({ at: new Date().toISOString(), kind: 'registry.reconnected', detail: `etcd reachable again after ${((Date.now() - troubleSince) / 1_000).toFixed(1)} s` });
          troubleSince = undefined;
        }
        resolveSynced();
      });
      if (!caughtUp && !own.ended) {
        store.setRegistryStatus({ state: 'connecting', phase: 'catching-up', message: `listed at revision ${listed.revision}; applying the ${applier.pending()} watch events that arrived meanwhile` });
      }
      void heartbeat(own);
      throw await own.trouble;
    } finally {
      own.end('session over');
    }
  };

  /**
   * Says why a session ended: an etcd failure is an outage (status, history, alerts); our own failure
   * is not. Returns how long to wait before relisting: `retryMs` after an etcd failure (the client's
   * own back-off paces reconnecting); after our own, `retryMs` doubled for each one in a row before
   * it, up to `MAX_OWN_RETRY_MS`, until the registry is synced again.
   */
  const reportTrouble = (error: unknown): number => {
    if (error instanceof WatchTrouble && error.ours) {
      // etcd answered; the store is out of step with it until the relist, which is what 'connecting' says.
      const pause = Math.min(retryMs * 2 ** Math.min(ownFailures, 20), Math.max(retryMs, MAX_OWN_RETRY_MS));
      ownFailures += 1;
      const cause = error.message.replace(/[\d.]+/g, '');
      const seen = (ownCauses.get(cause) ?? 0) + 1;
      if (seen === 1 && ownCauses.size >= 100) ownCauses.clear();
      ownCauses.set(cause, seen);
      const next = `relisting in ${pause >= 1_000 ? `${(pause / 1_000).toFixed(pause % 1_000 === 0 ? 0 : 1)} s` : `${pause} ms`}`;
      if (seen === 1) log(`registry: ${error.message}; ${next}${error.detail ? `\n${error.detail}` : ''}`);
      else log(`registry: ${error.message} (${seen} times so far, ${ownFailures} in a row); ${next}`);
      relistReason = error.message;
      store.setRegistryStatus({ state: 'connecting', phase: 'relisting', message: `relisting: ${error.message}` });
      store.flush();
      return pause;
    }
    const message = describeEtcdError(error);
    const previous = store.registryStatus();
    // One outage is reported once, until the registry is synced again (catching up after a relist is still part of it).
    if (troubleSince === undefined) {
      log(`registry: ${message}; relisting`);
      troubleSince = Date.now();
      emit({ at: new Date().toISOString(), kind: 'registry.disconnected', detail: message });
    } else if (!sameCause(previous.message, message)) {
      // Retries with the same cause stay quiet; a new one (a timeout at start, then the real refusal) is logged.
      log(`registry: still unreachable, now: ${message}`);
    }
    store.setRegistryStatus({ state: 'unreachable', message });
    store.flush();
    return retryMs;
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await session();
      } catch (error) {
        await closeWatchers();
        if (stopped) return;
        let pause = retryMs;
        try {
          pause = reportTrouble(error);
        } catch (failure) {
          // Reporting must not end the loop (nor reject `running`, which nobody awaits until stop).
          log(`registry: reporting a session's end failed: ${stackOf(failure)}`);
        }
        await Promise.race([wait(pause), stopping]);
      }
    }
  };

  return {
    start() {
      running ??= loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(pauseTimer);
      wakeUp();
      current?.end('stopping');
      await closeWatchers();
      leaseTtls.stop();
      await running;
    },
    synced: () => firstSync,
    lineage: () => lineage,
    diagnostics: () => {
      const { unrecognisedKeys, unrecognised: byPrefix } = unrecognised.summary();
      return { registry: store.registryStatus(), keysSeen: store.etcdKeyCount() + unrecognisedKeys, instances: store.instanceCount(), unrecognised: byPrefix };
    },
  };
}
