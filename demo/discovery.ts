import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Registration } from '@/lib/model/registration';
import { decodeEntry } from '@/lib/server/registry/decode';
import { parseDrainKey, parseDrainValue } from '@/lib/server/registry/drain-keys';
import { listPrefix } from '@/lib/server/registry/listing';

/** An instance a caller may send requests to. */
export interface Endpoint {
  service: string;
  id: string;
  address: string;
}

/** What a client-side resolver knows: registrations by etcd key, and which instances are drained. */
export interface EndpointTable {
  put(key: string, registrations: readonly Registration[]): void;
  remove(key: string): void;
  /** `untilMs` undefined: drained until the key is deleted. */
  drain(service: string, id: string, untilMs: number | undefined): void;
  undrain(service: string, id: string): void;
  /** Registered, not offline by its framework's own marker, and not drained. */
  endpoints(service: string, nowMs: number): Endpoint[];
}

const instanceKey = (service: string, id: string): string => `${service}\u0000${id}`;

export function createEndpointTable(): EndpointTable {
  const byKey = new Map<string, readonly Registration[]>();
  const drains = new Map<string, number | undefined>();
  const isDrained = (service: string, id: string, nowMs: number): boolean => {
    const key = instanceKey(service, id);
    if (!drains.has(key)) return false;
    const until = drains.get(key);
    return until === undefined || until > nowMs;
  };
  return {
    put: (key, registrations) => void byKey.set(key, registrations),
    remove: (key) => void byKey.delete(key),
    drain: (service, id, untilMs) => void drains.set(instanceKey(service, id), untilMs),
    undrain: (service, id) => void drains.delete(instanceKey(service, id)),
    endpoints(service, nowMs) {
      const found: Endpoint[] = [];
      for (const registrations of byKey.values()) {
        for (const { service: name, id, address, offline } of registrations) {
          if (name === service && !offline && !isDrained(name, id, nowMs)) found.push({ service: name, id, address });
        }
      }
      return found;
    },
  };
}

export interface Discovery {
  endpoints(service: string): Endpoint[];
  /**
   * Stops hearing etcd and keeps resolving to the endpoints last known, as a client-side resolver
   * cut off from etcd does: the fleet's link to etcd gone, its callers still reach each other.
   */
  cutOff(): Promise<void>;
  /**
   * Reads etcd afresh and follows it again after `cutOff`. A read that fails is logged and tried
   * again (`RESYNC_MIN_MS` doubling to `RESYNC_MAX_MS`) until one succeeds: etcd away at this
   * moment must not leave the resolver deaf until a restart.
   */
  reconnect(): Promise<void>;
  /** Closes the watches; no read is tried again after it. */
  stop(): Promise<void>;
}

export interface DiscoveryOptions {
  client: Etcd3;
  /** Registration prefixes of the services to resolve. */
  prefixes: readonly string[];
  /** Switchyard's control prefix; drains live under `<control>drain/`. */
  controlPrefix: string;
  log: (message: string) => void;
}

/** The first wait before reading etcd again (after a watch error, or a read that failed); it doubles per failure up to the next. */
const RESYNC_MIN_MS = 500;
/** The longest wait between reads while etcd stays away: once it is back, the resolver follows it within this. */
const RESYNC_MAX_MS = 5_000;

/**
 * A client-side resolver as the Go frameworks have one: list the dependencies' prefixes and the
 * drain prefix at one revision, watch from the next, and on any watch error start over. One
 * resolver serves the whole in-process fleet (each real process would run its own). A connection
 * that drops and comes back needs nothing of it: etcd3 re-creates the watches from the revision
 * each had reached.
 */
export async function startDiscovery(options: DiscoveryOptions): Promise<Discovery> {
  const { client, controlPrefix, log } = options;
  const drainPrefix = `${controlPrefix}drain/`;
  const watched = [...new Set([...options.prefixes, drainPrefix])];
  let table = createEndpointTable();
  /** The watches followed now; a watch's events count only while it is here. */
  let watchers = new Set<Watcher>();
  let stopped = false;
  /** Cut off from etcd (`cutOff`): no resync until `reconnect`. */
  let cut = false;
  /** Bumped by `cutOff` and `stop`: a read begun before them is not followed. */
  let generation = 0;
  /**
   * The read in flight for the current generation: a second follow in it joins that read. A read of
   * an earlier generation (begun before cutOff) may still run beside it; it opens no watch and
   * changes nothing when it ends.
   */
  let syncing: { generation: number; done: Promise<void> } | undefined;
  let resync: ReturnType<typeof setTimeout> | undefined;
  let retryDelayMs = RESYNC_MIN_MS;

  const apply = (target: EndpointTable, kv: IKeyValue): void => {
    const key = kv.key.toString('utf8');
    if (key.startsWith(drainPrefix)) {
      const drained = parseDrainKey(controlPrefix, key);
      const until = parseDrainValue(kv.value)?.until;
      // A drain whose value does not parse still counts: the key's presence is what drains.
      if (drained) target.drain(drained.service, drained.id, until === undefined ? undefined : Date.parse(until));
      return;
    }
    const registrations = decodeEntry({ key, value: kv.value, lease: kv.lease && kv.lease !== '0' ? kv.lease : undefined });
    if (registrations) target.put(key, registrations);
    else target.remove(key);
  };
  const forget = (kv: IKeyValue): void => {
    const key = kv.key.toString('utf8');
    const drained = key.startsWith(drainPrefix) ? parseDrainKey(controlPrefix, key) : null;
    if (drained) table.undrain(drained.service, drained.id);
    else table.remove(key);
  };

  const closeWatchers = async (): Promise<void> => {
    const closing = watchers;
    watchers = new Set();
    await Promise.allSettled([...closing].map((watcher) => watcher.cancel()));
  };

  const sync = async (following: number): Promise<void> => {
    await closeWatchers();
    const fresh = createEndpointTable();
    let revision: string | undefined;
    for (const prefix of watched) {
      const listing = await listPrefix(client, prefix, revision);
      revision = listing.revision;
      for (const kv of listing.kvs) apply(fresh, kv);
    }
    // Cut off or stopped while reading: what was read is not followed.
    if (following !== generation) return;
    table = fresh;
    const next = String(BigInt(revision ?? '0') + 1n);
    for (const prefix of watched) {
      // watcher(), not create(): create() waits until etcd has created the watch — forever while
      // etcd is away — and gives no handle to cancel it by meanwhile. This one replays from `next`
      // once created, and a refusal comes as its 'error'.
      const watcher = client.watch().prefix(prefix).startRevision(next).watcher();
      watchers.add(watcher);
      watcher.on('put', (kv) => watchers.has(watcher) && apply(table, kv));
      watcher.on('delete', (kv) => watchers.has(watcher) && forget(kv));
      watcher.on('error', () => watchers.has(watcher) && scheduleResync('watch error', RESYNC_MIN_MS));
    }
  };

  /** Reads etcd and follows it; a failed read is logged and tried again later. Never rejects. */
  const follow = (reason: string): Promise<void> => {
    if (syncing?.generation === generation) return syncing.done;
    const following = generation;
    const done = sync(following).then(
      () => {
        // A stale read's success says nothing of the current generation's reads: their delay stays.
        if (following === generation) retryDelayMs = RESYNC_MIN_MS;
      },
      (error: unknown) => {
        if (following !== generation) return;
        log(`discovery: reading etcd failed after ${reason} (${error instanceof Error ? error.message : String(error)}); retrying in ${retryDelayMs / 1000} s`);
        scheduleResync(reason, retryDelayMs);
        retryDelayMs = Math.min(RESYNC_MAX_MS, retryDelayMs * 2);
      },
    );
    const current = { generation: following, done };
    syncing = current;
    void done.finally(() => {
      if (syncing === current) syncing = undefined;
    });
    return done;
  };
  function scheduleResync(reason: string, delayMs: number): void {
    if (stopped || cut || resync) return;
    resync = setTimeout(() => {
      resync = undefined;
      void follow(reason);
    }, delayMs);
  }

  await sync(generation);
  return {
    endpoints: (service) => table.endpoints(service, Date.now()),
    async cutOff() {
      cut = true;
      generation += 1;
      clearTimeout(resync);
      resync = undefined;
      await closeWatchers();
    },
    async reconnect() {
      if (!cut) return;
      cut = false;
      retryDelayMs = RESYNC_MIN_MS;
      await follow('reconnect');
    },
    async stop() {
      stopped = true;
      generation += 1;
      clearTimeout(resync);
      resync = undefined;
      // A read still in flight ends by the client's deadline and, stale now, opens no watch.
      await closeWatchers();
    },
  };
}
