import type { Instance, Service } from './instance';
import type { Delta, RegistryStatus, Snapshot } from './live';
import { serviceStatus } from './status/service';

/** Live fleet state as the browser holds it: instances by etcd key, grouped by service. */
export interface LiveState {
  epoch: string;
  seq: number;
  revision: string;
  registry: RegistryStatus;
  /** service name → (instance key → instance). Maps, because names are attacker-controlled strings. */
  services: ReadonlyMap<string, ReadonlyMap<string, Instance>>;
}

export type DeltaOutcome = 'applied' | 'stale' | 'gap';

export function stateFromSnapshot(snapshot: Snapshot): LiveState {
  const services = new Map<string, Map<string, Instance>>();
  for (const service of snapshot.services) {
    services.set(service.name, new Map(service.instances.map((i) => [i.key, i])));
  }
  return { epoch: snapshot.epoch, seq: snapshot.seq, revision: snapshot.revision, registry: snapshot.registry, services };
}

/**
 * Applies one delta. A delta at or below the current seq is stale and ignored; one that skips
 * a seq means messages were lost, so the caller must resume instead of guessing.
 */
export function applyDelta(state: LiveState, delta: Delta): { state: LiveState; outcome: DeltaOutcome } {
  if (delta.seq <= state.seq) return { state, outcome: 'stale' };
  if (delta.seq !== state.seq + 1) return { state, outcome: 'gap' };
  const services = new Map(state.services);
  const copied = new Set<string>();
  const writable = (name: string): Map<string, Instance> => {
    const current = services.get(name);
    if (current && copied.has(name)) return current as Map<string, Instance>;
    const next = new Map(current ?? []);
    services.set(name, next);
    copied.add(name);
    return next;
  };
  for (const change of delta.changes) {
    if (change.op === 'upsert') {
      writable(change.instance.service).set(change.instance.key, change.instance);
    } else {
      const instances = writable(change.service);
      instances.delete(change.key);
      if (instances.size === 0) services.delete(change.service);
    }
  }
  return {
    state: {
      epoch: state.epoch,
      seq: delta.seq,
      revision: delta.revision,
      registry: delta.registry ?? state.registry,
      services,
    },
    outcome: 'applied',
  };
}

function byId(a: Instance, b: Instance): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function toService(name: string, instances: ReadonlyMap<string, Instance>): Service {
  const list = [...instances.values()].sort(byId);
  const { status, cause } = serviceStatus(list);
  return { name, status, ...(cause ? { cause } : {}), instances: list };
}

/** Services in name order, each with its rolled-up status. */
export function listServices(state: Pick<LiveState, 'services'>): Service[] {
  return [...state.services.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, instances]) => toService(name, instances));
}
