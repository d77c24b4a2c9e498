import type { DrainState } from '@/lib/model/drain';
import type { Drain, Instance } from '@/lib/model/instance';
import type { Change } from '@/lib/model/live';
import type { Registration } from '@/lib/model/registration';
import { BoundedMap } from '@/lib/model/bounded-map';
import { sameData } from './same-data';

/** One decoded etcd key: the instances it registers and the lease it hangs on. */
export interface DecodedKey {
  /** The key's name (registry/key-name.ts): injective, so it is the key's identity. */
  etcdKey: string;
  lease: string | undefined;
  registrations: Registration[];
}

/** What the health tracker knows of an instance; survives re-registration, dies with the instance. */
export type HealthFacts = Pick<Instance, 'status' | 'statusCause' | 'statusCauseKind' | 'statusSince' | 'failingSince' | 'recoveredAt' | 'criticalChangesMs' | 'lastProbe' | 'passedAt'>;

/** Lease TTLs remembered, oldest dropped first: beyond any fleet we serve (a lease forgotten shows no TTL). */
const MAX_LEASE_TTLS = 65_536;

const NOT_PROBED: HealthFacts = { status: 'unknown', statusCause: 'not probed yet' };
/** Placeholder while a new row's instance is built from the row itself. */
const NOT_BUILT: Instance = { id: '', service: '', key: '', address: '', format: 'native', metadata: {}, status: 'unknown', drain: null };

/** Drains are addressed by service and instance id (DESIGN §3), not by etcd key. */
export const drainKey = (service: string, id: string): string => `${service}\u0000${id}`;

/**
 * Lost instances' stand-ins (lost/tracker.ts) live under this prefix + the instance key they had,
 * stored under exactly that key (one instance each). A NUL never starts a key a decoder accepts as
 * a registration path, so no real key collides with one; counts of etcd keys leave them out.
 */
export const STAND_IN_KEY_PREFIX = '\u0000lost:';

/** `#` and `%` escaped, so the id part of an instance key never contains `#` and reads back unambiguously. */
const escapeId = (id: string): string => id.replace(/%/g, '%25').replace(/#/g, '%23');

/**
 * An instance's key, from what the registration says and never from its position in the value:
 * a stand-in's own key; the etcd key itself when the registration names itself after the key's last segment (the usual
 * one-instance-per-key shapes) and the key has no `#`; otherwise `<etcd key>#<escaped id>`.
 * Injective: keys of the first kind contain no `#`, and in the second the text after the last `#`
 * is the escaped id. Reordering a go-micro node list or dropping a node keeps every key.
 */
export function instanceKeyFor(etcdKey: string, id: string): string {
  if (etcdKey.startsWith(STAND_IN_KEY_PREFIX)) return etcdKey;
  const lastSegment = etcdKey.slice(etcdKey.lastIndexOf('/') + 1);
  return id === lastSegment && !etcdKey.includes('#') ? etcdKey : `${etcdKey}#${escapeId(id)}`;
}

/** One etcd key: the lease it hangs on and the instances it registers. */
interface KeyEntry {
  lease: string | undefined;
  instanceKeys: string[];
}

interface Row {
  lease: string | undefined;
  registration: Registration;
  health: HealthFacts | undefined;
  /** Only while drained. */
  drainState: DrainState | undefined;
  instance: Instance;
}

/**
 * The first half of the store: registrations with their health, drain and lease-TTL overlays,
 * indexed by instance key, by etcd key, by lease and by (service, id) for drains. Every write that
 * changes an instance reports the change to `changed` (the delta log); writes that change nothing
 * report nothing.
 */
export interface InstanceTable {
  upsertKey(decoded: DecodedKey): void;
  removeKey(etcdKey: string): void;
  /** Replaces every key and drain with a fresh listing, reporting only what differs. */
  replaceAll(decoded: DecodedKey[], drains: Map<string, Drain>): void;
  setDrain(service: string, id: string, drain: Drain | null): void;
  setLeaseTtl(lease: string, ttlSeconds: number): void;
  /** Ignored when the instance is gone. */
  setHealth(key: string, facts: HealthFacts): void;
  /** Ignored unless the instance is drained. */
  setDrainState(key: string, state: DrainState): void;
  instance(key: string): Instance | undefined;
  instances(): IterableIterator<Instance>;
  /** The instances a drain names, from the table's index (a drain monitor's round need not walk the fleet). */
  drainedInstances(): IterableIterator<Instance>;
  /** The instances registered under one etcd key (several when one value lists several nodes). */
  instancesOfKey(etcdKey: string): Instance[];
  /** One service's instances (any order), from the table's index. */
  instancesOfService(service: string): Instance[];
  /** The lease an etcd key hangs on, as last seen. */
  leaseOfKey(etcdKey: string): string | undefined;
  /** etcd keys that decoded to at least one instance (stand-ins are not etcd keys). */
  etcdKeys(): IterableIterator<string>;
  /** Registered instances (lost instances' stand-ins are not counted). */
  instanceCount(): number;
  /** etcd keys that decoded to at least one instance (stand-ins are not etcd keys). */
  etcdKeyCount(): number;
}

export function createInstanceTable(changed: (change: Change) => void): InstanceTable {
  const rows = new Map<string, Row>();
  const etcdKeys = new Map<string, KeyEntry>();
  const keysByLease = new Map<string, Set<KeyEntry>>();
  /** Instance keys per service: drains name a service and an id, and services are few. */
  const instanceKeysByService = new Map<string, Set<string>>();
  // Bounded, not dropped with a lease's last key: a key put again on the same lease gets its TTL
  // without asking etcd again (lease-ttl.ts asks once per lease).
  const leaseTtls = new BoundedMap<string, number>(MAX_LEASE_TTLS);
  const drains = new Map<string, Drain>();
  /** Keys of the instances built with a drain. */
  const drainedKeys = new Set<string>();
  let standInKeys = 0;
  const isStandIn = (etcdKey: string): boolean => etcdKey.startsWith(STAND_IN_KEY_PREFIX);

  const nameOf = (registration: Registration): string => drainKey(registration.service, registration.id);

  /**
   * Field by field rather than by object spread: on Node 20 `{ ...registration, key, … }` costs
   * ~10 µs an instance (dictionary-mode objects), 100× this, and the first sync builds them all.
   */
  const build = (row: Omit<Row, 'instance'>, key: string): Instance => {
    const { registration: r } = row;
    const health = row.health ?? NOT_PROBED;
    const drain = drains.size === 0 ? null : (drains.get(nameOf(r)) ?? null);
    const instance: Instance = { id: r.id, service: r.service, key, address: r.address, format: r.format, metadata: r.metadata, status: health.status, drain };
    if (r.version !== undefined) instance.version = r.version;
    if (r.zone !== undefined) instance.zone = r.zone;
    if (r.weight !== undefined) instance.weight = r.weight;
    if (r.health !== undefined) instance.health = r.health;
    if (r.dependsOn !== undefined) instance.dependsOn = r.dependsOn;
    if (r.offline) instance.offline = true;
    if (r.unleased) instance.unleased = true;
    if (r.lost) instance.lost = r.lost;
    if (health.statusCause !== undefined) instance.statusCause = health.statusCause;
    if (health.statusCauseKind !== undefined) instance.statusCauseKind = health.statusCauseKind;
    if (health.statusSince !== undefined) instance.statusSince = health.statusSince;
    if (health.failingSince !== undefined) instance.failingSince = health.failingSince;
    if (health.recoveredAt !== undefined) instance.recoveredAt = health.recoveredAt;
    if (health.criticalChangesMs !== undefined) instance.criticalChangesMs = health.criticalChangesMs;
    if (health.lastProbe !== undefined) instance.lastProbe = health.lastProbe;
    if (health.passedAt !== undefined) instance.passedAt = health.passedAt;
    if (drain && row.drainState) instance.drainState = row.drainState;
    const ttl = row.lease === undefined ? undefined : leaseTtls.get(row.lease);
    if (ttl !== undefined) instance.leaseTtl = ttl;
    return instance;
  };

  /** Builds the row's instance, keeping the drained index in step with it. */
  const rebuild = (row: Row, key: string): Instance => {
    const instance = build(row, key);
    if (instance.drain) drainedKeys.add(key);
    else drainedKeys.delete(key);
    row.instance = instance;
    return instance;
  };

  const publish = (row: Row, key: string): void => {
    changed({ op: 'upsert', instance: rebuild(row, key) });
  };

  const addToIndex = <K, V>(index: Map<K, Set<V>>, key: K, value: V): void => {
    const set = index.get(key);
    if (set) set.add(value);
    else index.set(key, new Set([value]));
  };
  const removeFromIndex = <K, V>(index: Map<K, Set<V>>, key: K, value: V): void => {
    const set = index.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) index.delete(key);
  };

  const removeInstance = (key: string): void => {
    const row = rows.get(key);
    if (!row) return;
    rows.delete(key);
    drainedKeys.delete(key);
    removeFromIndex(instanceKeysByService, row.registration.service, key);
    changed({ op: 'remove', service: row.registration.service, key });
  };

  /** Whether the row would build into a different instance with this registration and lease. */
  const differs = (row: Row, registration: Registration, lease: string | undefined): boolean =>
    row.lease !== lease ||
    !sameData(row.registration, registration) ||
    !sameData(row.instance.drain, drains.get(nameOf(registration)) ?? null) ||
    row.instance.leaseTtl !== (lease === undefined ? undefined : leaseTtls.get(lease));

  function upsertKey(decoded: DecodedKey): void {
    const { etcdKey, lease } = decoded;
    if (decoded.registrations.length === 0) {
      removeKey(etcdKey);
      return;
    }
    const keys: string[] = [];
    // Only a value listing several nodes needs the duplicate check (a set: hostile values list thousands).
    const seen = decoded.registrations.length > 1 ? new Set<string>() : undefined;
    for (const registration of decoded.registrations) {
      const key = instanceKeyFor(etcdKey, registration.id);
      // Two nodes with one id in one value are one instance: the first one written counts.
      if (seen?.has(key)) continue;
      seen?.add(key);
      keys.push(key);
      const row = rows.get(key);
      if (!row) {
        const fresh: Row = { lease, registration, health: undefined, drainState: undefined, instance: NOT_BUILT };
        const instance = rebuild(fresh, key);
        rows.set(key, fresh);
        addToIndex(instanceKeysByService, registration.service, key);
        changed({ op: 'upsert', instance });
        continue;
      }
      if (!differs(row, registration, lease)) continue;
      if (row.registration.service !== registration.service) {
        removeFromIndex(instanceKeysByService, row.registration.service, key);
        addToIndex(instanceKeysByService, registration.service, key);
      }
      row.registration = registration;
      row.lease = lease;
      publish(row, key);
    }
    const previous = etcdKeys.get(etcdKey);
    for (const stale of previous?.instanceKeys ?? []) if (!(seen ? seen.has(stale) : stale === keys[0])) removeInstance(stale);
    const entry = previous ?? { lease: undefined, instanceKeys: keys };
    if (!previous) {
      etcdKeys.set(etcdKey, entry);
      if (isStandIn(etcdKey)) standInKeys += 1;
    }
    if (entry.lease !== lease || !previous) {
      if (entry.lease !== undefined) removeFromIndex(keysByLease, entry.lease, entry);
      if (lease !== undefined) addToIndex(keysByLease, lease, entry);
    }
    entry.lease = lease;
    entry.instanceKeys = keys;
  }

  function removeKey(etcdKey: string): void {
    const entry = etcdKeys.get(etcdKey);
    if (!entry) return;
    if (entry.lease !== undefined) removeFromIndex(keysByLease, entry.lease, entry);
    for (const key of entry.instanceKeys) removeInstance(key);
    etcdKeys.delete(etcdKey);
    if (isStandIn(etcdKey)) standInKeys -= 1;
  }

  return {
    upsertKey,
    removeKey,
    replaceAll(decodedKeys, freshDrains) {
      drains.clear();
      for (const [name, drain] of freshDrains) drains.set(name, drain);
      const listed = new Set<string>();
      for (const decoded of decodedKeys) listed.add(decoded.etcdKey);
      for (const etcdKey of etcdKeys.keys()) if (!listed.has(etcdKey)) removeKey(etcdKey);
      for (const decoded of decodedKeys) upsertKey(decoded);
    },
    setDrain(service, id, drain) {
      const name = drainKey(service, id);
      if (drain) drains.set(name, drain);
      else drains.delete(name);
      for (const key of instanceKeysByService.get(service) ?? []) {
        const row = rows.get(key);
        if (row?.registration.id !== id) continue;
        if (!drain) row.drainState = undefined;
        if (!sameData(row.instance.drain, drain)) publish(row, key);
      }
    },
    setLeaseTtl(lease, ttlSeconds) {
      if (leaseTtls.get(lease) === ttlSeconds) return;
      leaseTtls.set(lease, ttlSeconds);
      for (const entry of keysByLease.get(lease) ?? []) {
        for (const key of entry.instanceKeys) {
          const row = rows.get(key);
          if (row) publish(row, key);
        }
      }
    },
    setHealth(key, facts) {
      const row = rows.get(key);
      if (!row || sameData(row.health, facts)) return;
      row.health = facts;
      publish(row, key);
    },
    setDrainState(key, state) {
      const row = rows.get(key);
      if (!row?.instance.drain || row.drainState === state) return;
      row.drainState = state;
      publish(row, key);
    },
    instance: (key) => rows.get(key)?.instance,
    *instances() {
      for (const row of rows.values()) yield row.instance;
    },
    *drainedInstances() {
      for (const key of drainedKeys) {
        const row = rows.get(key);
        if (row) yield row.instance;
      }
    },
    instancesOfKey(etcdKey) {
      const found: Instance[] = [];
      for (const key of etcdKeys.get(etcdKey)?.instanceKeys ?? []) {
        const row = rows.get(key);
        if (row) found.push(row.instance);
      }
      return found;
    },
    instancesOfService(service) {
      const found: Instance[] = [];
      for (const key of instanceKeysByService.get(service) ?? []) {
        const row = rows.get(key);
        if (row) found.push(row.instance);
      }
      return found;
    },
    leaseOfKey: (etcdKey) => etcdKeys.get(etcdKey)?.lease,
    *etcdKeys() {
      for (const etcdKey of etcdKeys.keys()) if (!isStandIn(etcdKey)) yield etcdKey;
    },
    // A stand-in key holds exactly one instance.
    instanceCount: () => rows.size - standInKeys,
    etcdKeyCount: () => etcdKeys.size - standInKeys,
  };
}
