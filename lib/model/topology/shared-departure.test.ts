import { describe, expect, it } from 'vitest';
import type { Instance, Lost } from '../instance';
import type { RegistryStatus } from '../live';
import { summarizeInstances } from '../service-summary';
import { describeSharedDeparture, sharedDeparture, sharedDepartureHeadline, SHARED_DEPARTURE_WINDOW_MS } from './shared-departure';
import { deriveTopologyFromSummaries } from './topology';

const T0 = Date.parse('2026-12-07T00:53:54Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const synced: Pick<RegistryStatus, 'state'> = { state: 'synced' };

/** What became of an instance: still registered, its departure under check, out of discovery but serving, or crashed (lost). */
type Fate = 'registered' | 'checking' | 'serving' | 'crashed';

function lostFor(fate: Fate, leftMs: number): Lost | undefined {
  if (fate === 'checking') return { at: at(leftMs), cause: 'left discovery while its probes passed — checking whether it still serves', passingBefore: 3, checking: true };
  if (fate === 'serving') return { at: at(leftMs), cause: 'lease expired while it still served', passingBefore: 3, stillServing: true };
  if (fate === 'crashed') return { at: at(leftMs), cause: 'lease expired after probes failed', passingBefore: 3 };
  return undefined;
}

/** A service's instances through the real summary, each departed `leftMs` after T0. */
function service(name: string, fates: readonly Fate[], leftMs = 0) {
  const instances = fates.map((fate, i): Instance => {
    const lost = lostFor(fate, leftMs);
    return {
      id: `${name}-${i}`,
      service: name,
      key: `/services/${name}/${name}-${i}`,
      address: `10.0.0.${i}:80`,
      format: 'native',
      metadata: {},
      status: fate === 'registered' ? 'passing' : fate === 'crashed' ? 'critical' : fate === 'serving' ? 'warning' : 'unknown',
      drain: null,
      passedAt: at(-60_000),
      ...(lost ? { lost } : {}),
    };
  });
  return summarizeInstances(name, instances);
}

const fleet = (...services: ReturnType<typeof service>[]) => deriveTopologyFromSummaries(services);
const names = (count: number, prefix = 'svc'): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const all = (fate: Fate): Fate[] => [fate, fate, fate];

describe('sharedDeparture (the fleet left etcd together while serving)', () => {
  it('names 12 services whose every instance left at once and is being checked, from the first departure', () => {
    const topology = fleet(...names(12).map((name, i) => service(name, all('checking'), i * 100)));
    const departure = sharedDeparture(topology, synced);
    expect(departure).toEqual({ services: 12, at: at(0), checking: true });
    expect(departure && describeSharedDeparture(departure)).toBe(
      "12 services left discovery together at 00:53:54 UTC while still passing probes — checking whether they still serve; if they do, check etcd and the fleet's connection to it",
    );
  });

  it('says they still serve once every check confirmed it, and still checking while any runs', () => {
    const confirmed = sharedDeparture(fleet(...names(4).map((name) => service(name, all('serving')))), synced);
    expect(confirmed).toEqual({ services: 4, at: at(0), checking: false });
    expect(confirmed && describeSharedDeparture(confirmed)).toBe(
      "4 services left discovery together at 00:53:54 UTC while still passing probes, and still serve out of discovery: check etcd and the fleet's connection to it",
    );
    const mixed = fleet(service('a', ['serving', 'checking']), service('b', all('serving')), service('c', all('serving')));
    expect(sharedDeparture(mixed, synced)).toEqual({ services: 3, at: at(0), checking: true });
  });

  it.each<[string, number, number, boolean]>([
    ['one service of one: its own business', 1, 0, false],
    ['one service of two: not two services', 1, 1, false],
    ['two services of two', 2, 0, true],
    ['two of four: half the fleet', 2, 2, true],
    ['two of five: less than half', 2, 3, false],
    ['six of twelve', 6, 6, true],
    ['five of twelve', 5, 7, false],
  ])('thresholds: %s', (_name, departed, stayed, expected) => {
    const topology = fleet(...names(departed, 'gone').map((name) => service(name, all('checking'))), ...names(stayed, 'here').map((name) => service(name, all('registered'))));
    expect(sharedDeparture(topology, synced) !== null).toBe(expected);
  });

  it('names etcd the origin only once the checks found them still serving: until then a planned stop of the fleet looks the same', () => {
    // go-zero revokes its lease and serves 5.5 s more on a planned stop; a lease long kept alive ends
    // "revoked or expired", so a whole fleet stopped on purpose is checked, every service emptied, exactly so.
    const stopped = sharedDeparture(fleet(...names(12).map((name) => service(name, all('checking')))), synced);
    expect(stopped?.checking).toBe(true);
    expect(stopped && sharedDepartureHeadline(stopped)).toBe('Likely origin: etcd, or a planned stop');
    expect(stopped && describeSharedDeparture(stopped)).toBe(
      "12 services left discovery together at 00:53:54 UTC while still passing probes — checking whether they still serve; if they do, check etcd and the fleet's connection to it",
    );
    const serving = sharedDeparture(fleet(...names(12).map((name) => service(name, all('serving')))), synced);
    expect(serving && sharedDepartureHeadline(serving)).toBe('Likely origin: etcd, not the services');
  });

  it('counts only departures within the window of each other, and names the largest such group', () => {
    const within = fleet(service('a', all('checking'), 0), service('b', all('checking'), SHARED_DEPARTURE_WINDOW_MS));
    expect(sharedDeparture(within, synced)).toEqual({ services: 2, at: at(0), checking: true });
    const apart = fleet(service('a', all('serving'), 0), service('b', all('serving'), SHARED_DEPARTURE_WINDOW_MS + 1));
    expect(sharedDeparture(apart, synced)).toBeNull();
    // One service every minute, as a slow deploy that lost its etcd sessions would: never together.
    const paced = fleet(...names(6).map((name, i) => service(name, all('serving'), i * 60_000)));
    expect(sharedDeparture(paced, synced)).toBeNull();
    const later = fleet(service('a', all('serving'), 0), ...names(3).map((name) => service(name, all('checking'), 120_000 + 500)), service('z', all('registered')));
    expect(sharedDeparture(later, synced)).toEqual({ services: 3, at: at(120_500), checking: true });
  });

  it('says when the first of them began to leave, while it groups them by when each emptied', () => {
    // A fleet cut off from etcd: each instance's lease runs out as its last keep-alive ages out, up to ~5 s apart.
    const spread = (name: string, fromMs: number) =>
      summarizeInstances(
        name,
        [fromMs, fromMs + 2_000, fromMs + 4_500].map((leftMs, i): Instance => ({ id: `${name}-${i}`, service: name, key: `/services/${name}/${name}-${i}`, address: `10.0.2.${i}:80`, format: 'native', metadata: {}, status: 'unknown', drain: null, lost: lostFor('checking', leftMs) })),
      );
    const departure = sharedDeparture(fleet(spread('a', 1_000), spread('b', 0), spread('c', 500)), synced);
    expect(departure).toEqual({ services: 3, at: at(0), checking: true });
    expect(departure && describeSharedDeparture(departure)).toContain('3 services left discovery together at 00:53:54 UTC');
    // Grouped by when each emptied: b's first instance left 12 s before a emptied, still one departure.
    const slow = sharedDeparture(fleet(spread('a', 8_000), spread('b', 0)), synced);
    expect(slow).toEqual({ services: 2, at: at(0), checking: true });
  });

  it('does not date the departure by an instance that left long before the fleet did', () => {
    // c lost one instance to etcd 10 min ago (out of discovery since, kept for the retention); the fleet left now.
    const now = 600_000;
    const earlier = summarizeInstances(
      'c',
      [0, now + 500].map((leftMs, i): Instance => ({ id: `c-${i}`, service: 'c', key: `/services/c/c-${i}`, address: `10.0.3.${i}:80`, format: 'native', metadata: {}, status: 'warning', drain: null, lost: lostFor('serving', leftMs) })),
    );
    const departure = sharedDeparture(fleet(service('a', all('serving'), now), service('b', all('serving'), now + 1_000), earlier), synced);
    expect(departure).toEqual({ services: 3, at: at(now), checking: false });
  });

  it('times a service by its last instance to leave: one whose instances left 30 s apart did not leave with the others', () => {
    const straggler = summarizeInstances(
      'c',
      [0, 30_000].map((leftMs, i): Instance => ({ id: `c-${i}`, service: 'c', key: `/services/c/c-${i}`, address: `10.0.1.${i}:80`, format: 'native', metadata: {}, status: 'warning', drain: null, lost: lostFor('serving', leftMs) })),
    );
    expect(straggler.leftEtcdAt).toBe(at(30_000));
    expect(sharedDeparture(fleet(service('a', all('serving'), 0), straggler), synced)).toBeNull();
  });

  it('is not a rolling restart: services that each lost some instances while the rest stay registered', () => {
    const topology = fleet(...names(8).map((name) => service(name, ['serving', 'registered', 'registered'])));
    expect(topology.nodes.every((node) => node.lostServing === 1)).toBe(true);
    expect(sharedDeparture(topology, synced)).toBeNull();
  });

  it('is not crashed instances (the origins speak for them), nor a service whose departures include a crash', () => {
    expect(sharedDeparture(fleet(...names(6).map((name) => service(name, all('crashed')))), synced)).toBeNull();
    expect(sharedDeparture(fleet(...names(6).map((name) => service(name, ['serving', 'crashed']))), synced)).toBeNull();
  });

  it('says nothing while Switchyard\u2019s own view of etcd is not synced: the registry banner speaks then', () => {
    const topology = fleet(...names(4).map((name) => service(name, all('checking'))));
    expect(sharedDeparture(topology, { state: 'connecting' })).toBeNull();
    expect(sharedDeparture(topology, { state: 'unreachable' })).toBeNull();
  });

  it('says nothing when nothing left', () => {
    expect(sharedDeparture(fleet(...names(3).map((name) => service(name, all('registered')))), synced)).toBeNull();
    expect(sharedDeparture(fleet(), synced)).toBeNull();
  });
});
