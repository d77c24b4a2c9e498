import { randomUUID } from 'node:crypto';
import type { DrainState } from '@/lib/model/drain';
import type { Drain, Instance } from '@/lib/model/instance';
import type { Delta, RegistryStatus, ServiceSnapshot, Snapshot, SummarySnapshot } from '@/lib/model/live';
import { listServices } from '@/lib/model/state';
import { createDeltaLog, type DeltaLogOptions } from './delta-log';
import { createInstanceTable, type DecodedKey, type HealthFacts } from './instance-table';
import { createViewIndex, type ServiceCatchUp, type SummaryCatchUp, type ViewDelta } from './views';

export { drainKey, instanceKeyFor, STAND_IN_KEY_PREFIX, type DecodedKey, type HealthFacts } from './instance-table';

export type StoreOptions = DeltaLogOptions;
export type { ServiceCatchUp, SummaryCatchUp, ViewDelta } from './views';

/** Reading the fleet: the prober, the drain service, route handlers. */
export interface InstanceReader {
  instance(key: string): Instance | undefined;
  instances(): IterableIterator<Instance>;
  /** The instances registered under one etcd key, from the table's index. */
  instancesOfKey(etcdKey: string): Instance[];
  /** One service's instances as the table holds them now, from its index, unsorted (`serviceSnapshot` sorts a copy for views). */
  instancesOfService(service: string): Instance[];
}

/** What browsers are sent (the live hub, the topology layout). */
export interface LiveFeed {
  /** This run's identity; see Snapshot.epoch. */
  readonly epoch: string;
  snapshot(): Snapshot;
  /** Deltas after `seq`, or null when they are no longer kept (the client needs a snapshot). */
  deltasSince(seq: number): Delta[] | null;
  subscribe(listener: (delta: Delta) => void): () => void;
  /** Every service's summary (docs/ARCHITECTURE "Live updates"), built once per change. */
  summarySnapshot(): SummarySnapshot;
  /** One service's instances (none when it is not registered). */
  serviceSnapshot(service: string): ServiceSnapshot;
  /** The summaries touched after `seq` as they are now; null when the delta log no longer reaches back. */
  summaryCatchUp(seq: number): SummaryCatchUp | null;
  /** The instances of `service` touched after `seq` as they are now; null when the delta log no longer reaches back. */
  serviceCatchUp(service: string, seq: number): ServiceCatchUp | null;
  /** Each delta split by view: changed summaries and per-service changes. */
  subscribeViews(listener: (delta: ViewDelta) => void): () => void;
}

/** What the registry writes: etcd keys, drains, lease TTLs, the revision and its own status. */
export interface RegistryTarget {
  upsertKey(decoded: DecodedKey): void;
  removeKey(etcdKey: string): void;
  /** Replaces everything with a fresh listing, emitting only what differs (the gap's removals and additions). */
  replaceAll(decoded: DecodedKey[], drains: Map<string, Drain>, revision: string): void;
  setDrain(service: string, id: string, drain: Drain | null): void;
  setLeaseTtl(lease: string, ttlSeconds: number): void;
  revision(): string;
  setRevision(revision: string): void;
  registryStatus(): RegistryStatus;
  setRegistryStatus(status: Omit<RegistryStatus, 'since'>): void;
  /** Emits what is pending now (deltas and summaries) instead of waiting for their windows. */
  flush(): void;
  /** Registered instances (lost instances' stand-ins are not counted). */
  instanceCount(): number;
  /** etcd keys that decoded to at least one instance (lost instances' stand-ins are not counted). */
  etcdKeyCount(): number;
  /** The lease an etcd key hangs on, as last seen. */
  leaseOfKey(etcdKey: string): string | undefined;
  /** Registered etcd keys (no stand-ins): a relist finds the ones gone while it was not watching. */
  etcdKeys(): IterableIterator<string>;
}

/** What the health tracker writes: probe-derived facts, ignored for instances that are gone. */
export interface HealthTarget {
  instance(key: string): Instance | undefined;
  setHealth(key: string, facts: HealthFacts): void;
}

/** What the drain monitor writes: whether a drained instance still gets calls. */
export interface DrainStateTarget {
  /** Only the drained instances (a drain monitor's round is O(drains), not O(fleet)). */
  drainedInstances(): IterableIterator<Instance>;
  setDrainState(key: string, state: DrainState): void;
}

/** What route handlers and pages read. */
export interface StoreView extends InstanceReader {
  snapshot(): Snapshot;
  /** What the console layout renders (every service's summary, no instances). */
  summarySnapshot(): SummarySnapshot;
  /** What a service page renders before its socket view arrives. */
  serviceSnapshot(service: string): ServiceSnapshot;
  registryStatus(): RegistryStatus;
}

/** The store as the runtime holds it; each part is handed only the interface above it needs. */
export interface Store extends LiveFeed, InstanceReader, RegistryTarget, HealthTarget, DrainStateTarget, StoreView {
  close(): void;
}

/**
 * The instance table (registrations and overlays) feeding the delta log (seq, pending changes,
 * replay, subscribers), plus the snapshot both make together.
 */
export function createStore(options: StoreOptions): Store {
  const epoch = randomUUID();
  const log = createDeltaLog(options);
  const table = createInstanceTable(log.record);
  // First on the log, so service views hear of a delta before anyone else does.
  const views = createViewIndex(log, table.instancesOfService, options.clock);
  let lastSnapshot: Snapshot | undefined;

  return {
    epoch,
    snapshot() {
      log.flush();
      // Every change moves seq (or the revision): until then, every page and socket shares one
      // build — an incident brings many viewers at once.
      const seq = log.seq();
      const revision = log.revision();
      if (lastSnapshot?.seq !== seq || lastSnapshot.revision !== revision) {
        lastSnapshot = { epoch, seq, revision, registry: log.registryStatus(), services: listServices({ services: groupByService(table.instances()) }) };
      }
      return lastSnapshot;
    },
    deltasSince: log.deltasSince,
    subscribe: log.subscribe,
    summarySnapshot: () => views.summarySnapshot(epoch),
    serviceSnapshot: (service) => views.serviceSnapshot(epoch, service),
    summaryCatchUp: views.summaryCatchUp,
    serviceCatchUp: views.serviceCatchUp,
    subscribeViews: views.subscribe,
    upsertKey: table.upsertKey,
    removeKey: table.removeKey,
    replaceAll(decoded, drains, revision) {
      table.replaceAll(decoded, drains);
      log.setRevision(revision);
    },
    setDrain: table.setDrain,
    setLeaseTtl: table.setLeaseTtl,
    setHealth: table.setHealth,
    setDrainState: table.setDrainState,
    instance: table.instance,
    instances: table.instances,
    drainedInstances: table.drainedInstances,
    instanceCount: table.instanceCount,
    etcdKeyCount: table.etcdKeyCount,
    leaseOfKey: table.leaseOfKey,
    etcdKeys: table.etcdKeys,
    instancesOfKey: table.instancesOfKey,
    instancesOfService: table.instancesOfService,
    revision: log.revision,
    setRevision: log.setRevision,
    registryStatus: log.registryStatus,
    setRegistryStatus: log.setRegistryStatus,
    flush: views.flush,
    close() {
      views.close();
      log.close();
    },
  };
}

function groupByService(instances: Iterable<Instance>): Map<string, Map<string, Instance>> {
  const services = new Map<string, Map<string, Instance>>();
  for (const instance of instances) {
    let group = services.get(instance.service);
    if (!group) services.set(instance.service, (group = new Map()));
    group.set(instance.key, instance);
  }
  return services;
}
