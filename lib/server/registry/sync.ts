import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Drain } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { describeEtcdError } from '../etcd/errors';
import { drainKey, type DecodedKey, type Store } from '../store';
import { decodeEntry } from './decode';
import { parseDrainKey, parseDrainValue } from './drain-keys';
import { listPrefix } from './listing';
import { createUnrecognisedCounter, type Diagnostics } from './unrecognised';
import { createLeaseTtlLookup } from './lease-ttl';
import { createLifecycle, type LeaseState } from './lifecycle';

export interface RegistryCounters {
  watchEvents(count: number): void;
  relists(): void;
}

export interface RegistryOptions {
  client: Etcd3;
  store: Store;
  /** Prefixes to watch; empty = the whole keyspace. */
  prefixes: string[];
  controlPrefix: string;
  counters: RegistryCounters;
  log: (message: string) => void;
  /** Pause between attempts while etcd is unreachable. */
  retryMs?: number;
  /** How often etcd is asked for its cluster id and revision, to catch a restore or silent stall. */
  heartbeatMs?: number;
  /** Registrations, deregistrations and outages, for the history store. */
  onHistory?: (event: NewHistoryEvent) => void;
  /** Just before a registration key deleted in etcd (at `revision`) leaves the store (lost-instance detection). */
  onKeyGoing?: (etcdKey: string, revision: string) => void;
  /** Right after a relist replaced the store's contents. */
  onRelisted?: () => void;
}

export interface Registry {
  start(): void;
  stop(): Promise<void>;
  /** Resolves once the first full listing has been applied. */
  synced(): Promise<void>;
  diagnostics(): Diagnostics;
}

/** Why the current watch session ended; every cause leads to a relist and diff. */
class WatchTrouble extends Error {}

/** Two failures have the same cause when their messages differ only in numbers (timings, ports). */
const sameCause = (a: string | undefined, b: string): boolean => a?.replace(/[\d.]+/g, '') === b.replace(/[\d.]+/g, '');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRegistry(options: RegistryOptions): Registry {
  const { client, store, controlPrefix, counters, log } = options;
  const retryMs = options.retryMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const watched = options.prefixes.length === 0 ? [''] : [...new Set([...options.prefixes, controlPrefix])];
  const unrecognised = createUnrecognisedCounter();
  const leaseTtls = createLeaseTtlLookup(client, (lease, ttl) => store.setLeaseTtl(lease, ttl));
  const emit = (event: NewHistoryEvent): void => options.onHistory?.(event);
  const leaseState: LeaseState = async (lease) => {
    const response = await client.leaseClient.leaseTimeToLive({ ID: lease });
    return Number(response.TTL) > 0 ? 'alive' : 'expired';
  };
  const lifecycle = createLifecycle(emit, leaseState);
  let listedBefore = false;
  let troubleSince: number | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let watchers: Watcher[] = [];
  let wake: ((reason: WatchTrouble) => void) | undefined;
  let clusterId = '';
  let resolveSynced: () => void = () => undefined;
  const firstSync = new Promise<void>((resolve) => (resolveSynced = resolve));

  const decode = (kv: IKeyValue): DecodedKey | null => {
    const etcdKey = kv.key.toString('utf8');
    const lease = kv.lease && kv.lease !== '0' ? kv.lease : undefined;
    const registrations = decodeEntry({ key: etcdKey, value: kv.value, lease });
    if (!registrations || registrations.length === 0) return null;
    return { etcdKey, lease, registrations };
  };

  const applyPut = (kv: IKeyValue): void => {
    const etcdKey = kv.key.toString('utf8');
    if (etcdKey.startsWith(controlPrefix)) {
      const target = parseDrainKey(controlPrefix, etcdKey);
      if (!target) return;
      const drain = parseDrainValue(kv.value);
      store.setDrain(target.service, target.id, drain);
      lifecycle.drainPut(etcdKey, kv.create_revision, kv.lease && kv.lease !== '0' ? kv.lease : undefined, target, drain);
      return;
    }
    const decoded = decode(kv);
    lifecycle.put(etcdKey, kv.create_revision, decoded?.lease, decoded?.registrations ?? null);
    if (decoded) {
      unrecognised.forget(etcdKey);
      store.upsertKey(decoded);
      if (decoded.lease) leaseTtls.want(decoded.lease);
    } else {
      unrecognised.count(etcdKey);
      store.removeKey(etcdKey);
    }
  };

  const applyDelete = (kv: IKeyValue): void => {
    const etcdKey = kv.key.toString('utf8');
    if (etcdKey.startsWith(controlPrefix)) {
      const target = parseDrainKey(controlPrefix, etcdKey);
      if (target) store.setDrain(target.service, target.id, null);
      lifecycle.drainDelete(etcdKey);
      return;
    }
    unrecognised.forget(etcdKey);
    options.onKeyGoing?.(etcdKey, kv.mod_revision);
    lifecycle.delete(etcdKey);
    store.removeKey(etcdKey);
  };

  /** Lists every watched prefix at one revision and replaces the store's view with it. */
  const relist = async (): Promise<string> => {
    let revision: string | undefined;
    const kvs: IKeyValue[] = [];
    for (const prefix of watched) {
      const page = await listPrefix(client, prefix, revision);
      revision = page.revision;
      if (clusterId && page.clusterId !== clusterId) log(`etcd cluster id changed ${clusterId} → ${page.clusterId}`);
      clusterId = page.clusterId;
      kvs.push(...page.kvs);
    }
    const decodedKeys: DecodedKey[] = [];
    const listing = new Map<string, { createRevision: string; lease: string | undefined; registrations: Registration[] }>();
    const drains = new Map<string, Drain>();
    unrecognised.reset();
    lifecycle.setCluster(clusterId);
    for (const kv of kvs) {
      const etcdKey = kv.key.toString('utf8');
      if (etcdKey.startsWith(controlPrefix)) {
        const target = parseDrainKey(controlPrefix, etcdKey);
        const drain = target ? parseDrainValue(kv.value) : null;
        if (target && drain) drains.set(drainKey(target.service, target.id), drain);
        // Known again after a restart, so a later TTL expiry is still recorded (replays are idempotent).
        if (target) lifecycle.drainPut(etcdKey, kv.create_revision, kv.lease && kv.lease !== '0' ? kv.lease : undefined, target, drain);
        continue;
      }
      const decoded = decode(kv);
      if (decoded) {
        decodedKeys.push(decoded);
        listing.set(etcdKey, { createRevision: kv.create_revision, lease: decoded.lease, registrations: decoded.registrations });
        if (decoded.lease) leaseTtls.want(decoded.lease);
      } else unrecognised.count(etcdKey);
    }
    const listedAt = revision ?? '0';
    store.replaceAll(decodedKeys, drains, listedAt);
    options.onRelisted?.();
    const { added, removed } = lifecycle.replace(listing, !listedBefore);
    if (listedBefore) {
      emit({ at: new Date().toISOString(), kind: 'registry.resynced', detail: `relisted at revision ${listedAt}: ${added} appeared, ${removed} vanished while not watching` });
    }
    listedBefore = true;
    counters.relists();
    return listedAt;
  };

  const troubled = (reason: string): void => {
    wake?.(new WatchTrouble(reason));
    wake = undefined;
  };

  const watchFrom = async (revision: string): Promise<void> => {
    const next = (BigInt(revision) + 1n).toString();
    for (const prefix of watched) {
      const watcher = await client.watch().prefix(prefix).startRevision(next).create();
      watchers.push(watcher);
      watcher.on('data', (response) => {
        counters.watchEvents(response.events.length);
        for (const event of response.events) {
          if (event.type === 'Put') applyPut(event.kv);
          else applyDelete(event.kv);
        }
        const current = BigInt(store.revision());
        if (BigInt(response.header.revision) > current) store.setRevision(response.header.revision);
      });
      watcher.on('disconnected', (error) => troubled(`etcd connection lost: ${error.message}`));
      watcher.on('error', (error) => troubled(`watch failed: ${error.message}`));
      watcher.on('end', () => troubled('watch ended'));
    }
  };

  const heartbeat = async (): Promise<void> => {
    while (wake && !stopped) {
      await sleep(heartbeatMs);
      if (!wake || stopped) return;
      try {
        const status = await client.maintenance.status();
        if (clusterId && status.header.cluster_id !== clusterId) troubled('etcd cluster id changed');
        else if (BigInt(status.header.revision) < BigInt(store.revision())) troubled('etcd revision went backwards');
      } catch (error) {
        troubled(`etcd unreachable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const closeWatchers = async (): Promise<void> => {
    const closing = watchers;
    watchers = [];
    await Promise.allSettled(closing.map((watcher) => watcher.cancel()));
  };

  const session = async (): Promise<void> => {
    const trouble = new Promise<WatchTrouble>((resolve) => (wake = resolve));
    const revision = await relist();
    await watchFrom(revision);
    store.setRegistryStatus({ state: 'synced' });
    if (troubleSince !== undefined) {
      emit({ at: new Date().toISOString(), kind: 'registry.reconnected', detail: `etcd reachable again after ${((Date.now() - troubleSince) / 1_000).toFixed(1)} s` });
      troubleSince = undefined;
    }
    resolveSynced();
    void heartbeat();
    const reason = await trouble;
    throw reason;
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await session();
      } catch (error) {
        wake = undefined;
        await closeWatchers();
        if (stopped) return;
        const message = describeEtcdError(error);
        const previous = store.registryStatus();
        if (previous.state !== 'unreachable') {
          log(`registry: ${message}; relisting`);
          troubleSince = Date.now();
          emit({ at: new Date().toISOString(), kind: 'registry.disconnected', detail: message });
        } else if (!sameCause(previous.message, message)) {
          // Retries with the same cause stay quiet; a new one (a timeout at start, then the real refusal) is logged.
          log(`registry: still unreachable, now: ${message}`);
        }
        store.setRegistryStatus({ state: 'unreachable', message });
        store.flush();
        await sleep(retryMs);
      }
    }
  };

  return {
    start() {
      running ??= loop();
    },
    async stop() {
      stopped = true;
      troubled('stopping');
      await closeWatchers();
      leaseTtls.stop();
      await running;
    },
    synced: () => firstSync,
    diagnostics: () => {
      const { unrecognisedKeys, unrecognised: byPrefix } = unrecognised.summary();
      return { registry: store.registryStatus(), keysSeen: store.etcdKeyCount() + unrecognisedKeys, instances: store.instanceCount(), unrecognised: byPrefix };
    },
  };
}
