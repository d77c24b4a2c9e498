import type { Instance } from '@/lib/model/instance';
import type { Change } from '@/lib/model/live';
import type { RegistryLookup } from '@/lib/model/otlp/peer';
import { drainKey, type Store } from '../store/store';

/** What the index keeps of an instance: what a peer attribute or a resource can name. */
interface Entry {
  service: string;
  id: string;
  address: string;
  hostPort: string;
  lost: boolean;
}

/** Instances under one name, and how many of them are lost. */
interface Tally {
  total: number;
  lost: number;
}

/** Registered addresses may carry a scheme (grpc://, http://) or a path; a peer attribute never does. */
const hostPortOf = (address: string): string => address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();

function count(tallies: Map<string, Tally>, name: string, lost: boolean, by: 1 | -1): void {
  const tally = tallies.get(name) ?? { total: 0, lost: 0 };
  tally.total += by;
  if (lost) tally.lost += by;
  if (tally.total > 0) tallies.set(name, tally);
  else tallies.delete(name);
}

/**
 * The registry by address, service and instance, kept up to date from the store's deltas — one
 * change at a time (~4 µs a new instance). Rebuilt from the whole fleet whenever it changed, it
 * cost a walk over 100,000 instances every few seconds while a registry churned (the traces sweep
 * asks for it): ~0.5 s of a held event loop each time, which every live viewer waited out. It
 * trails the store by at most one delta window (SWITCHYARD_COALESCE_MS).
 */
export function createRegistryLookup(store: Pick<Store, 'instances' | 'subscribe'>): RegistryLookup {
  const entries = new Map<string, Entry>();
  /** Instances at each address, in the order they came: usually one. */
  const byAddress = new Map<string, Entry[]>();
  const services = new Map<string, Tally>();
  const ids = new Map<string, Tally>();
  let lostEntries = 0;

  const forget = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const atAddress = byAddress.get(entry.hostPort) ?? [];
    atAddress.splice(atAddress.indexOf(entry), 1);
    if (atAddress.length === 0) byAddress.delete(entry.hostPort);
    count(services, entry.service, entry.lost, -1);
    count(ids, drainKey(entry.service, entry.id), entry.lost, -1);
    if (entry.lost) lostEntries -= 1;
  };
  const know = (instance: Instance): void => {
    const known = entries.get(instance.key);
    const lost = instance.lost !== undefined;
    // Most upserts are health and lease changes: nothing the index holds moved.
    if (known && known.service === instance.service && known.id === instance.id && known.address === instance.address && known.lost === lost) return;
    forget(instance.key);
    const entry: Entry = { service: instance.service, id: instance.id, address: instance.address, hostPort: hostPortOf(instance.address), lost };
    entries.set(instance.key, entry);
    const atAddress = byAddress.get(entry.hostPort);
    if (atAddress) atAddress.push(entry);
    else byAddress.set(entry.hostPort, [entry]);
    count(services, entry.service, lost, 1);
    count(ids, drainKey(entry.service, entry.id), lost, 1);
    if (lost) lostEntries += 1;
  };
  const apply = (change: Change): void => {
    if (change.op === 'upsert') know(change.instance);
    else forget(change.key);
  };

  // Built at the first question (a fleet that sends no OTLP never pays for it), from what the
  // store holds then; its deltas from there on. A change already in the table and still to be
  // emitted is applied twice, which changes nothing (by key, the latest state wins).
  let built = false;
  const ready = (): void => {
    if (built) return;
    built = true;
    for (const instance of store.instances()) know(instance);
  };
  store.subscribe((delta) => {
    if (!built) return;
    for (const change of delta.changes) apply(change);
  });

  const allLost = (tally: Tally | undefined): boolean => tally !== undefined && tally.lost === tally.total;
  return {
    instanceAt(hostPort) {
      ready();
      const atAddress = byAddress.get(hostPort.toLowerCase());
      if (!atAddress) return undefined;
      // A lost instance's stand-in and its successor may share the address: the one registered answers.
      for (let i = atAddress.length - 1; i >= 0; i -= 1) if (!atAddress[i]?.lost) return atAddress[i];
      return atAddress.at(-1);
    },
    hasService(name) {
      ready();
      return services.has(name);
    },
    hasInstance(service, id) {
      ready();
      return ids.has(drainKey(service, id));
    },
    // An instance registered again beside its lost stand-in is not lost.
    isLost(service, id) {
      ready();
      return lostEntries > 0 && allLost(id === undefined ? services.get(service) : ids.get(drainKey(service, id)));
    },
  };
}
