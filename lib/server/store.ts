import { randomUUID } from 'node:crypto';
import type { DrainState } from '@/lib/model/drain';
import type { Drain, Instance } from '@/lib/model/instance';
import type { Change, Delta, RegistryStatus, Snapshot } from '@/lib/model/live';
import type { Registration } from '@/lib/model/registration';
import { listServices } from '@/lib/model/state';

/** One decoded etcd key: the instances it registers and the lease it hangs on. */
export interface DecodedKey {
  etcdKey: string;
  lease: string | undefined;
  registrations: Registration[];
}

/** What the health tracker knows of an instance; survives re-registration, dies with the instance. */
export type HealthFacts = Pick<Instance, 'status' | 'statusCause' | 'statusSince' | 'lastProbe'>;

const NOT_PROBED: HealthFacts = { status: 'unknown', statusCause: 'not probed yet' };

export interface StoreOptions {
  /** Minimum spacing between two deltas; changes inside one window travel together. */
  coalesceMs: number;
  /** How many past deltas are kept so a reconnecting browser can catch up without a snapshot. */
  replayCapacity?: number;
  now?: () => Date;
}

export interface Store {
  /** This run's identity; see Snapshot.epoch. */
  readonly epoch: string;
  snapshot(): Snapshot;
  /** Deltas after `seq`, or null when they are no longer kept (the client needs a snapshot). */
  deltasSince(seq: number): Delta[] | null;
  subscribe(listener: (delta: Delta) => void): () => void;
  upsertKey(decoded: DecodedKey): void;
  removeKey(etcdKey: string): void;
  /** Replaces everything with a fresh listing, emitting only what differs (the gap's removals and additions). */
  replaceAll(decoded: DecodedKey[], drains: Map<string, Drain>, revision: string): void;
  setDrain(service: string, id: string, drain: Drain | null): void;
  setLeaseTtl(lease: string, ttlSeconds: number): void;
  /** Records an instance's health; ignored when the instance is gone. */
  setHealth(key: string, facts: HealthFacts): void;
  instance(key: string): Instance | undefined;
  /** Whether a drained instance still gets calls; ignored unless the instance is drained. */
  setDrainState(key: string, state: DrainState): void;
  setRevision(revision: string): void;
  setRegistryStatus(status: Omit<RegistryStatus, 'since'>): void;
  registryStatus(): RegistryStatus;
  revision(): string;
  instanceCount(): number;
  /** etcd keys that decoded to at least one instance. */
  etcdKeyCount(): number;
  instances(): IterableIterator<Instance>;
  /** Emits what is pending now instead of waiting for the coalescing timer. */
  flush(): void;
  close(): void;
}

export const drainKey = (service: string, id: string): string => `${service}\u0000${id}`;


function instanceKeyFor(etcdKey: string, index: number, count: number): string {
  return count === 1 ? etcdKey : `${etcdKey}#${index}`;
}

function sameInstance(a: Instance, b: Instance): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function createStore(options: StoreOptions): Store {
  const now = options.now ?? (() => new Date());
  const epoch = randomUUID();
  const replayCapacity = options.replayCapacity ?? 1024;
  const instances = new Map<string, Instance>();
  const keysByEtcdKey = new Map<string, string[]>();
  const leaseByEtcdKey = new Map<string, string>();
  const leaseTtls = new Map<string, number>();
  const drains = new Map<string, Drain>();
  const health = new Map<string, HealthFacts>();
  const drainStates = new Map<string, DrainState>();
  const pending = new Map<string, Change>();
  const log: Delta[] = [];
  const listeners = new Set<(delta: Delta) => void>();
  let seq = 0;
  let revision = '0';
  let lastSnapshot: Snapshot | undefined;
  let registry: RegistryStatus = { state: 'connecting', since: now().toISOString() };
  let registryChanged = false;
  let timer: NodeJS.Timeout | undefined;

  let lastFlushAt = -Infinity;
  let immediate: NodeJS.Immediate | undefined;

  /**
   * Throttle with a leading edge: a change after a quiet window leaves on the next tick (so one
   * watch response's events still travel together); during a burst at most one delta per window.
   */
  const schedule = (): void => {
    if (timer || immediate) return;
    const wait = lastFlushAt + options.coalesceMs - performance.now();
    if (wait <= 0) immediate = setImmediate(flush);
    else timer = setTimeout(flush, wait);
  };

  function flush(): void {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    if (pending.size === 0 && !registryChanged) return;
    lastFlushAt = performance.now();
    seq += 1;
    const delta: Delta = { seq, revision, changes: [...pending.values()] };
    if (registryChanged) delta.registry = registry;
    pending.clear();
    registryChanged = false;
    log.push(delta);
    if (log.length > replayCapacity) log.shift();
    for (const listener of listeners) listener(delta);
  }

  const put = (instance: Instance): void => {
    const current = instances.get(instance.key);
    if (current && sameInstance(current, instance)) return;
    instances.set(instance.key, instance);
    pending.set(instance.key, { op: 'upsert', instance });
    schedule();
  };

  const remove = (key: string): void => {
    const current = instances.get(key);
    if (!current) return;
    instances.delete(key);
    health.delete(key);
    drainStates.delete(key);
    pending.set(key, { op: 'remove', service: current.service, key });
    schedule();
  };

  const build = (registration: Registration, key: string, lease: string | undefined): Instance => {
    const { offline, ...fields } = registration;
    const ttl = lease === undefined ? undefined : leaseTtls.get(lease);
    const drain = drains.get(drainKey(registration.service, registration.id)) ?? null;
    const drainState = drain ? drainStates.get(key) : undefined;
    const instance: Instance = {
      ...fields,
      key,
      ...(health.get(key) ?? NOT_PROBED),
      ...(offline ? { offline: true } : {}),
      drain,
      ...(drainState ? { drainState } : {}),
    };
    if (ttl !== undefined) instance.leaseTtl = ttl;
    return instance;
  };

  const upsertKeyInto = (decoded: DecodedKey): Set<string> => {
    const keys = decoded.registrations.map((_, i) => instanceKeyFor(decoded.etcdKey, i, decoded.registrations.length));
    decoded.registrations.forEach((registration, i) => put(build(registration, keys[i] as string, decoded.lease)));
    for (const stale of keysByEtcdKey.get(decoded.etcdKey) ?? []) if (!keys.includes(stale)) remove(stale);
    keysByEtcdKey.set(decoded.etcdKey, keys);
    if (decoded.lease === undefined) leaseByEtcdKey.delete(decoded.etcdKey);
    else leaseByEtcdKey.set(decoded.etcdKey, decoded.lease);
    return new Set(keys);
  };

  const removeKey = (etcdKey: string): void => {
    for (const key of keysByEtcdKey.get(etcdKey) ?? []) remove(key);
    keysByEtcdKey.delete(etcdKey);
    leaseByEtcdKey.delete(etcdKey);
  };

  const refreshDrain = (service: string, id: string): void => {
    const drain = drains.get(drainKey(service, id)) ?? null;
    for (const instance of instances.values()) {
      if (instance.service !== service || instance.id !== id) continue;
      const { drainState: _state, ...rest } = instance;
      if (drain) put({ ...rest, drain, ...(instance.drainState ? { drainState: instance.drainState } : {}) });
      else {
        drainStates.delete(instance.key);
        put({ ...rest, drain });
      }
    }
  };

  return {
    epoch,
    snapshot() {
      flush();
      // Every change moves seq (or the revision): until then, every page and socket shares one
      // build (28 ms at 10,000 instances) — an incident brings many viewers at once.
      if (lastSnapshot?.seq !== seq || lastSnapshot.revision !== revision) {
        lastSnapshot = { epoch, seq, revision, registry, services: listServices({ services: groupByService(instances) }) };
      }
      return lastSnapshot;
    },
    deltasSince(since) {
      if (since === seq) return [];
      if (since > seq) return null;
      const first = log[0];
      if (!first || first.seq > since + 1) return null;
      return log.slice(since + 1 - first.seq);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    upsertKey(decoded) {
      upsertKeyInto(decoded);
    },
    removeKey,
    replaceAll(decodedKeys, freshDrains, freshRevision) {
      drains.clear();
      for (const [key, drain] of freshDrains) drains.set(key, drain);
      const seen = new Set<string>();
      for (const decoded of decodedKeys) seen.add(decoded.etcdKey);
      for (const etcdKey of [...keysByEtcdKey.keys()]) if (!seen.has(etcdKey)) removeKey(etcdKey);
      for (const decoded of decodedKeys) upsertKeyInto(decoded);
      revision = freshRevision;
    },
    setDrain(service, id, drain) {
      if (drain) drains.set(drainKey(service, id), drain);
      else drains.delete(drainKey(service, id));
      refreshDrain(service, id);
    },
    setLeaseTtl(lease, ttlSeconds) {
      leaseTtls.set(lease, ttlSeconds);
      for (const [etcdKey, keyLease] of leaseByEtcdKey) {
        if (keyLease !== lease) continue;
        for (const key of keysByEtcdKey.get(etcdKey) ?? []) {
          const instance = instances.get(key);
          if (instance) put({ ...instance, leaseTtl: ttlSeconds });
        }
      }
    },
    setHealth(key, facts) {
      const instance = instances.get(key);
      if (!instance) return;
      health.set(key, facts);
      const { statusCause: _cause, statusSince: _since, lastProbe: _probe, ...rest } = instance;
      put({ ...rest, ...facts });
    },
    instance: (key) => instances.get(key),
    setDrainState(key, state) {
      const instance = instances.get(key);
      if (!instance?.drain || instance.drainState === state) return;
      drainStates.set(key, state);
      put({ ...instance, drainState: state });
    },
    setRevision(next) {
      revision = next;
    },
    setRegistryStatus(status) {
      if (status.state === registry.state && status.message === registry.message) return;
      const since = status.state === registry.state ? registry.since : now().toISOString();
      registry = { ...status, since };
      registryChanged = true;
      schedule();
    },
    registryStatus: () => registry,
    revision: () => revision,
    instanceCount: () => instances.size,
    etcdKeyCount: () => keysByEtcdKey.size,
    instances: () => instances.values(),
    flush,
    close() {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
      listeners.clear();
    },
  };
}

function groupByService(instances: Map<string, Instance>): Map<string, Map<string, Instance>> {
  const services = new Map<string, Map<string, Instance>>();
  for (const instance of instances.values()) {
    let group = services.get(instance.service);
    if (!group) services.set(instance.service, (group = new Map()));
    group.set(instance.key, instance);
  }
  return services;
}
