import type { Instance } from '@/lib/model/instance';
import type { Change } from '@/lib/model/live';
import type { RegistryLookup } from '@/lib/model/otlp/peer';
import { MAX_DEPARTED_CHECKS, MAX_QUEUED_DEPARTURES } from '../lost/tracker';
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

/** A registered instance whose key went: `graceFrom` is unset while the lost tracker still judges its departure. */
interface Departed {
  entry: Entry;
  /** The instance's key in the store (the lost tracker's name for its departure). */
  key: string;
  graceFrom?: number;
}

/** Whether the lost tracker still judges the departure of the instance that had `key` (`LostTracker.checksDeparture`). */
export type DepartureChecked = (service: string, key: string) => boolean;

/**
 * How long an instance whose key went still answers for its address once the lost tracker no longer
 * judges its departure: cumulative metrics report calls up to an export interval late (60 s by the
 * SDKs' default), and those calls are its, not an unregistered node's named by its address. While
 * its departure is judged (its lease asked about, its still-serving check queued or under way: up
 * to SWITCHYARD_DEPARTED_CHECK_SECONDS × 2, longer in a mass departure's queue) it answers too, and
 * has no stand-in while its service has other instances (DESIGN §6).
 */
export const DEPARTED_MEMORY_MS = 2 * 60_000;
/**
 * Departed instances remembered at once, in each state: judged (bounded by the tracker's checks and
 * queue, `MAX_DEPARTED_CHECKS` + `MAX_QUEUED_DEPARTURES`, and the departures awaiting their lease's
 * verdict), and in their grace period after. The oldest goes first (a registry churning through 100,000 instances).
 */
const MAX_DEPARTED = 10_000;
const MAX_DEPARTED_JUDGED = MAX_DEPARTED + MAX_DEPARTED_CHECKS + MAX_QUEUED_DEPARTURES;
/** The departed are swept at most this often: a Map's first entry is found past every entry deleted since it last compacted. */
const SWEEP_EVERY_MS = 1_000;

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
export function createRegistryLookup(
  store: Pick<Store, 'instances' | 'subscribe'>,
  options: { now?: () => number; departureChecked?: DepartureChecked } = {},
): RegistryLookup {
  const now = options.now ?? Date.now;
  const departureChecked = options.departureChecked ?? (() => false);
  const entries = new Map<string, Entry>();
  /** Address → the registered instance whose key went there last, its departure still judged: in the order they went. */
  const judged = new Map<string, Departed>();
  /** Address → the registered instance whose key went there last, in its grace period: in the order their grace began. */
  const departed = new Map<string, Departed>();
  /** `service\0id` → the same departed instance (in `judged` or `departed`): `isDeparted` finds it in one lookup. */
  const departedById = new Map<string, Departed>();
  let sweptAt = Number.NEGATIVE_INFINITY;
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
  const unremember = (map: Map<string, Departed>, record: Departed): void => {
    if (map.get(record.entry.hostPort) === record) map.delete(record.entry.hostPort);
    const id = drainKey(record.entry.service, record.entry.id);
    if (departedById.get(id) === record) departedById.delete(id);
  };
  const mapOf = (record: Departed): Map<string, Departed> => (record.graceFrom === undefined ? judged : departed);
  const oldestOver = (map: Map<string, Departed>, cap: number): void => {
    for (const record of map.values()) {
      if (map.size <= cap) break;
      unremember(map, record);
    }
  };
  const startGrace = (record: Departed, at: number): void => {
    unremember(mapOf(record), record);
    record.graceFrom = at;
    departed.set(record.entry.hostPort, record);
    departedById.set(drainKey(record.entry.service, record.entry.id), record);
    oldestOver(departed, MAX_DEPARTED);
  };
  /** A registered instance's key went (not moved, not a stand-in's). */
  const depart = (entry: Entry | undefined, key: string): void => {
    if (!entry || entry.lost) return;
    for (const map of [judged, departed]) {
      const earlier = map.get(entry.hostPort);
      if (earlier) unremember(map, earlier);
    }
    const record: Departed = { entry, key };
    if (!departureChecked(entry.service, key)) return startGrace(record, now());
    judged.set(entry.hostPort, record);
    departedById.set(drainKey(entry.service, entry.id), record);
    oldestOver(judged, MAX_DEPARTED_JUDGED);
  };
  /** Within its grace period, or its departure still judged. */
  const remembered = (record: Departed | undefined): record is Departed =>
    record !== undefined && (record.graceFrom === undefined || record.graceFrom >= now() - DEPARTED_MEMORY_MS);
  /**
   * At most once a second: departures the tracker no longer judges begin their grace (so it runs from
   * within a second of the verdict while the store or the intake is busy), and graces past are forgotten.
   */
  const sweep = (): void => {
    const at = now();
    if (at - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = at;
    for (const record of judged.values()) if (!departureChecked(record.entry.service, record.key)) startGrace(record, at);
    for (const record of departed.values()) {
      if (remembered(record)) break;
      unremember(departed, record);
    }
  };
  /** The instance that left `hostPort`, its departure still judged or within its grace period. */
  const departedAt = (hostPort: string): Entry | undefined => {
    sweep();
    const record = judged.get(hostPort) ?? departed.get(hostPort);
    return remembered(record) ? record.entry : undefined;
  };
  const know = (instance: Instance): void => {
    const known = entries.get(instance.key);
    // One out of discovery serves on and reports as it did: counted as registered, else its service's
    // callers' client metrics and its own server metrics both fed the service, every call twice.
    const lost = instance.lost !== undefined && instance.lost.stillServing !== true;
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
    // Registered again: it starts clean, whatever is called at the address it left.
    const left = lost ? undefined : departedById.get(drainKey(entry.service, entry.id));
    if (left) unremember(mapOf(left), left);
  };
  const apply = (change: Change): void => {
    if (change.op === 'upsert') know(change.instance);
    else depart(forget(change.key), change.key);
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
    if (judged.size > 0 || departed.size > 0) sweep();
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
    // Not while its stand-in is there: that is a lost instance's (`isLost`).
    isDeparted(service, id) {
      ready();
      if (departedById.size === 0 || ids.has(drainKey(service, id))) return false;
      sweep();
      return remembered(departedById.get(drainKey(service, id)));
    },
  };
}
