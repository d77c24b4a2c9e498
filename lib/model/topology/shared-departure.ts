import type { RegistryStatus } from '../live';
import { utcClock } from '../status/clock';
import type { TopologyNode } from './topology';

/**
 * How close together services must leave etcd to have left it together. A fleet cut off from etcd
 * loses its leases as each last keep-alive ages out, and keep-alives go every third of a TTL
 * (10-15 s in the frameworks we read), so its expiries spread over up to ~5 s; after etcd itself
 * paused they land in the same second. Twice that spread, and still far below a deploy's pace.
 */
export const SHARED_DEPARTURE_WINDOW_MS = 10_000;

/** Fewest services that leave together for it to be etcd or the fleet's link to it: one leaving is that service's own business. */
export const SHARED_DEPARTURE_MIN_SERVICES = 2;

/**
 * Services that left etcd together while their probes passed: once checked still serving, the cause
 * is etcd or the fleet's connection to it, not the services (their sessions expired together); while
 * checked, perhaps a planned stop.
 */
export interface SharedDeparture {
  /** How many services left in the window. */
  services: number;
  /** When the first instance of them left (ISO): where the fleet's leaving began. */
  at: string;
  /** Whether the still-serving check runs for any of them (`lost.checking`); else all still serve out of discovery. */
  checking: boolean;
}

/**
 * Whether most of the fleet left etcd together while serving: at least SHARED_DEPARTURE_MIN_SERVICES
 * registered services, and at least half of them, whose every instance left discovery while its
 * probes passed (`leftEtcdAt`: still being checked, or confirmed still serving) within
 * SHARED_DEPARTURE_WINDOW_MS of each other, named by the first of their instances to leave (within
 * the window before the first service emptied). Only while Switchyard's own view of etcd is synced: when
 * its own connection is the trouble, the registry banner already says so, and the departures it
 * reads then may be its own gap. Lost (crashed) instances take no part: the origins speak for them.
 */
export function sharedDeparture(topology: { nodes: readonly Pick<TopologyNode, 'kind' | 'leftEtcdAt' | 'firstLeftEtcdAt' | 'checking'>[] }, registry: Pick<RegistryStatus, 'state'>): SharedDeparture | null {
  if (registry.state !== 'synced') return null;
  const services = topology.nodes.filter((node) => node.kind === 'service');
  // Grouped by when each service emptied: a service has left only once its last instance went, and
  // a fleet cut off from etcd empties its services within the keep-alive spread (~5 s) of each
  // other, as their first departures do — but a service that had lost an instance a while before
  // the fleet did still emptied with it. The notice names when the leaving began: the first instance of them to go.
  const left = services
    .flatMap(({ leftEtcdAt: at, firstLeftEtcdAt, checking }) => (at === undefined ? [] : [{ at, firstAt: firstLeftEtcdAt ?? at, ms: Date.parse(at), checking: (checking ?? 0) > 0 }]))
    .filter(({ ms }) => Number.isFinite(ms))
    .sort((a, b) => a.ms - b.ms);
  // The largest run of departures within the window (the earliest of equals).
  let best = { from: 0, count: 0 };
  for (let from = 0, to = 0; to < left.length; to += 1) {
    while ((left[to]?.ms ?? 0) - (left[from]?.ms ?? 0) > SHARED_DEPARTURE_WINDOW_MS) from += 1;
    if (to - from + 1 > best.count) best = { from, count: to - from + 1 };
  }
  if (best.count < SHARED_DEPARTURE_MIN_SERVICES || best.count * 2 < services.length) return null;
  const together = left.slice(best.from, best.from + best.count);
  const [firstEmptied] = together;
  if (!firstEmptied) return null;
  // A first departure more than the window before the first service emptied was not this one (an
  // instance cut off minutes before, still shown out of discovery): that service counts from when it emptied.
  const first = together
    .map(({ at, ms, firstAt }) => {
      const firstMs = Date.parse(firstAt);
      return firstMs >= firstEmptied.ms - SHARED_DEPARTURE_WINDOW_MS ? { at: firstAt, ms: firstMs } : { at, ms };
    })
    .reduce((earliest, began) => (began.ms < earliest.ms ? began : earliest));
  return { services: best.count, at: first.at, checking: together.some(({ checking }) => checking) };
}

/**
 * The bold head of the notice, where an origin's name would be. etcd is named only once the checks
 * found every departure still serving: until then a planned stop of the whole fleet looks the same
 * (go-zero revokes its lease and serves 5.5 s more; a lease kept alive for long ends "revoked or
 * expired", so each stopped instance is checked, and every emptied service shown as this).
 */
export const sharedDepartureHeadline = (departure: SharedDeparture): string =>
  departure.checking ? 'Likely origin: etcd, or a planned stop' : 'Likely origin: etcd, not the services';

/** One sentence for the map's notice and the Alerts page (after `sharedDepartureHeadline`). */
export function describeSharedDeparture(departure: SharedDeparture): string {
  const serving = departure.checking ? " — checking whether they still serve; if they do, check etcd and the fleet's connection to it" : ", and still serve out of discovery: check etcd and the fleet's connection to it";
  return `${departure.services} services left discovery together at ${utcClock(departure.at)} while still passing probes${serving}`;
}
