import type { Instance, Service } from './instance';
import { compareNatural } from './natural-order';
import { serviceStatus } from './status/service';

/** What a view does with a message (lib/model/views.ts). */
export type DeltaOutcome = 'applied' | 'stale' | 'gap';

/** Instances by id, numbers in ids as numbers (`orders-2` before `orders-10`), then by key. */
function byId(a: Instance, b: Instance): number {
  return compareNatural(a.id, b.id) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function toService(name: string, instances: ReadonlyMap<string, Instance>): Service {
  const list = [...instances.values()].sort(byId);
  const { status, cause } = serviceStatus(list);
  return { name, status, ...(cause ? { cause } : {}), instances: list };
}

/** Services in name order, each with its rolled-up status. */
export function listServices(state: { services: ReadonlyMap<string, ReadonlyMap<string, Instance>> }): Service[] {
  return [...state.services.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, instances]) => toService(name, instances));
}
