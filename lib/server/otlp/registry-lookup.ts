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

/**
 * How long an instance whose key went still answers for its address. Its departure is checked for
 * ~20–30 s before it has a stand-in (none at all while its service has other instances, DESIGN §6),
 * and cumulative metrics report calls up to an export interval late (60 s by the SDKs' default): its
 * calls meanwhile are its, not an unregistered node named by its address.
 */
export const DEPARTED_MEMORY_MS = 2 * 60_000;
/** Departed instances remembered at once; the oldest goes first (a registry churning through 100,000 instances). */
const MAX_DEPARTED = 10_000;

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
export function createRegistryLookup(store: Pick<Store, 'instances' | 'subscribe'>, options: { now?: () => number } = {}): RegistryLookup {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  /** Address → the registered instance whose key went there last, and when: in the order they went. */
  const departed = new Map<string, { entry: Entry; at: number }>();
  /** Instances at each address, in the order they came: usually one. */
  const byAddress = new Map<string, Entry[]>();
  const services = new Map<string, Tally>();
  const ids = new Map<string, Tally>();
  let lostEntries = 0;

  const forget = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    const atAddress = byAddress.get(entry.hostPort) ?? [];
    atAddress.splice(atAddress.indexOf(entry), 1);
    if (atAddress.length === 0) byAddress.delete(entry.hostPort);
    count(services, entry.service, entry.lost, -1);
    count(ids, drainKey(entry.service, entry.id), entry.lost, -1);
    if (entry.lost) lostEntries -= 1;
    return entry;
  };
  /** A registered instance's key went (not moved, not a stand-in's). */
  const depart = (entry: Entry | undefined): void => {
    if (!entry || entry.lost) return;
    departed.delete(entry.hostPort);
    departed.set(entry.hostPort, { entry, at: now() });
    if (departed.size > MAX_DEPARTED) departed.delete(departed.keys().next().value as string);
  };
  /** The instance that left `hostPort` within `DEPARTED_MEMORY_MS`; the older ones forgotten on the way. */
  const departedAt = (hostPort: string): Entry | undefined => {
    const cutoff = now() - DEPARTED_MEMORY_MS;
    for (const [address, { at }] of departed) {
      if (at >= cutoff) break;
      departed.delete(address);
    }
    return departed.get(hostPort)?.entry;
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
    else depart(forget(change.key));
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
      if (!atAddress) return departedAt(hostPort.toLowerCase());
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
