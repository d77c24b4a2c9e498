import { describe, expect, it } from 'vitest';
import type { Instance, Service, Status } from '../instance';
import type { EdgeStats } from '../latency';
import { declaredTargets, deriveTopology, edgeSlowCause, inboundErrors, isFailing, mostCommon, namespaceOf, primaryZone, statusFromCalls, type TopologyEdge } from './topology';

let counter = 0;
const instance = (service: string, patch: Partial<Instance> = {}): Instance => {
  counter += 1;
  return {
    id: `${service}-${counter}`,
    service,
    key: `/services/${service}/${counter}`,
    address: `127.0.0.1:${9000 + counter}`,
    format: 'native',
    metadata: {},
    status: 'passing',
    drain: null,
    ...patch,
  };
};
const service = (name: string, status: Status, ...instances: Partial<Instance>[]): Service => ({
  name,
  status,
  instances: (instances.length > 0 ? instances : [{}]).map((patch) => instance(name, patch)),
});
const stats = (from: string, to: string, rps: number, errorRate: number | null, p50Ms: number | null = 2): EdgeStats => ({
  from,
  to,
  rps,
  errorRate,
  p50Ms,
  p95Ms: p50Ms === null ? null : p50Ms * 2,
  p99Ms: p50Ms === null ? null : p50Ms * 3,
});
const drain = { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' };

describe('deriveTopology: nodes', () => {
  const fleet = [
    service('gateway', 'warning', { zone: 'a', dependsOn: ['orders', 'redis'], metadata: { 'external.redis': 'cache' } }, { zone: 'b', drain, status: 'critical' }),
    service('orders', 'passing', { format: 'go-micro', zone: 'a', metadata: { 'external.postgres': 'database', 'external.kafka': 'queue' } }),
  ];
  const { nodes } = deriveTopology(fleet, [stats('orders', 'legacy-billing', 1, 0)]);
  const byId = new Map(nodes.map((node) => [node.id, node]));

  it.each([
    ['gateway', { kind: 'service', status: 'warning', instances: 2, drained: 1, zones: ['a', 'b'], formats: ['native'] }],
    ['orders', { kind: 'service', status: 'passing', instances: 1, drained: 0, zones: ['a'], formats: ['go-micro'], zone: 'a' }],
    ['redis', { kind: 'cache', status: 'unknown', instances: 0, drained: 0, zones: [], formats: [] }],
    ['postgres', { kind: 'database', status: 'unknown', instances: 0 }],
    ['kafka', { kind: 'queue', status: 'unknown' }],
    ['legacy-billing', { kind: 'unknown', status: 'passing', inboundRps: 1, inboundErrorRate: 0 }],
  ] as const)('%s', (id, expected) => {
    expect(byId.get(id)).toMatchObject({ id, ...expected });
  });

  it('says until when a service flaps (its summary\'s flappingUntil), green or not, and nothing of one that does not', () => {
    const changes = [Date.parse('2026-12-07T10:00:00Z'), Date.parse('2026-12-07T10:00:20Z'), Date.parse('2026-12-07T10:00:40Z')];
    const flapping = deriveTopology([service('ledger', 'passing', { criticalChangesMs: changes }), service('quotes', 'passing')]).nodes;
    expect(flapping.find((node) => node.id === 'ledger')?.flappingUntil).toBe('2026-12-07T10:10:00.000Z');
    expect(flapping.find((node) => node.id === 'quotes')).not.toHaveProperty('flappingUntil');
  });

  it('lists nodes in name order, once each', () => {
    expect(nodes.map((node) => node.id)).toEqual(['gateway', 'kafka', 'legacy-billing', 'orders', 'postgres', 'redis']);
  });

  it('keeps an empty fleet empty', () => {
    expect(deriveTopology([], [])).toEqual({ nodes: [], edges: [] });
  });
});

describe('deriveTopology: edges', () => {
  const edgeOf = (edges: TopologyEdge[], from: string, to: string) => edges.find((edge) => edge.from === from && edge.to === to);

  it.each<[string, Service[], EdgeStats[], string, string, Partial<TopologyEdge> | undefined]>([
    ['declared only', [service('a', 'passing', { dependsOn: ['b'] }), service('b', 'passing')], [], 'a', 'b', { source: 'declared', sources: ['declared'] }],
    [
      'observed only, with its statistics',
      [service('a', 'passing'), service('b', 'passing')],
      [stats('a', 'b', 5, 0.1)],
      'a',
      'b',
      { source: 'observed', sources: ['observed'], rps: 5, errorRate: 0.1, p50Ms: 2, p95Ms: 4, p99Ms: 6 },
    ],
    [
      'both: declared is the contract source, sources says both, statistics attached',
      [service('a', 'passing', { dependsOn: ['b'] }), service('b', 'passing')],
      [stats('a', 'b', 2, 0)],
      'a',
      'b',
      { source: 'declared', sources: ['declared', 'observed'], rps: 2, errorRate: 0 },
    ],
    ['external declared in metadata only', [service('a', 'passing', { format: 'kratos', metadata: { 'external.postgres': 'database' } })], [], 'a', 'postgres', { source: 'declared' }],
    ['dependsOn metadata (non-native formats)', [service('a', 'passing', { format: 'kitex', metadata: { dependsOn: 'b, c' } })], [], 'a', 'c', { source: 'declared' }],
    ['a service never depends on itself by declaration', [service('a', 'passing', { dependsOn: ['a'] })], [], 'a', 'a', undefined],
  ])('%s', (_name, fleet, observed, from, to, expected) => {
    const edge = edgeOf(deriveTopology(fleet, observed).edges, from, to);
    if (expected === undefined) expect(edge).toBeUndefined();
    else expect(edge).toMatchObject({ from, to, ...expected });
  });

  it('omits statistics that are null (no calls in the slot)', () => {
    const [edge] = deriveTopology([service('a', 'passing'), service('b', 'passing')], [stats('a', 'b', 0, null, null)]).edges;
    expect(edge).toEqual({ from: 'a', to: 'b', source: 'observed', sources: ['observed'], rps: 0 });
  });

  it('unions dependsOn across instances and dedupes', () => {
    const fleet = [service('a', 'passing', { dependsOn: ['b'] }, { dependsOn: ['b', 'c'] }), service('b', 'passing'), service('c', 'passing')];
    expect(deriveTopology(fleet).edges.map((edge) => `${edge.from}>${edge.to}`)).toEqual(['a>b', 'a>c']);
  });

  it('weights inbound error rates by rate', () => {
    const fleet = [service('a', 'passing'), service('b', 'passing'), service('c', 'passing')];
    const node = deriveTopology(fleet, [stats('a', 'c', 9, 0), stats('b', 'c', 1, 1)]).nodes.find((n) => n.id === 'c');
    expect(node?.inboundRps).toBe(10);
    expect(node?.inboundErrorRate).toBeCloseTo(0.1);
  });

  it('gives a node its last 30 s of calls when worse than the minute, as its edges are labelled: early in an outage the minute still holds the calls answered before it', () => {
    // The demo's error-burst, 25 s in: inventory's instance answered 63 %, the edge into it read
    // "18% errors · 30s", and the node's chip "11% errors" (the minute).
    const fleet = [service('orders', 'passing'), service('api', 'passing'), service('inventory', 'warning')];
    const node = deriveTopology(fleet, [
      { ...stats('orders', 'inventory', 3, 0.11), recentCalls: 60, recentErrors: 11 },
      // An edge without recent figures had no errors in its minute: its 30 s are clean.
      stats('api', 'inventory', 1, 0),
      // Over its errors (last 10 s clean): none of them count.
      { ...stats('web', 'inventory', 1, 0.5), recovered: true, recentCalls: 30, recentErrors: 15 },
    ]).nodes.find((n) => n.id === 'inventory');
    expect(node).toMatchObject({ recentInboundCalls: 120, recentInboundErrors: 11 });
    expect(node && inboundErrors(node)).toEqual({ rate: 11 / 120, window: '30s' });
  });

  it('keeps the minute for a node whose last 30 s are no worse, or too few failed calls to judge', () => {
    const node = { inboundRps: 2, inboundErrorRate: 0.2, recentInboundCalls: 60, recentInboundErrors: 6 };
    expect(inboundErrors(node)).toEqual({ rate: 0.2, window: '1m' });
    expect(inboundErrors({ inboundErrorRate: 0.05, recentInboundCalls: 4, recentInboundErrors: 2 })).toEqual({ rate: 0.05, window: '1m' });
    expect(inboundErrors({})).toBeNull();
  });

  it('types an external by the majority of its declarations', () => {
    const fleet = [
      service('a', 'passing', { metadata: { 'external.store': 'database' } }),
      service('b', 'passing', { metadata: { 'external.store': 'database' } }),
      service('c', 'passing', { metadata: { 'external.store': 'cache' } }),
      service('d', 'passing', { metadata: { 'external.thing': 'mainframe' } }),
    ];
    const kinds = Object.fromEntries(deriveTopology(fleet).nodes.map((node) => [node.id, node.kind]));
    expect(kinds).toMatchObject({ store: 'database', thing: 'unknown' });
  });

  it('types an external by the kind its observed calls said (OTLP queue and database spans) when nothing declares one, and keeps it on the edge', () => {
    const fleet = [service('a', 'passing', { metadata: { 'external.kafka:orders': 'cache' } }), service('b', 'passing')];
    const observed = [
      { ...stats('a', 'kafka:orders', 1, 0), toKind: 'queue' as const },
      { ...stats('kafka:orders', 'b', 1, 0), fromKind: 'queue' as const },
      { ...stats('b', 'mysql:shop', 1, 0), toKind: 'database' as const },
    ];
    const topology = deriveTopology(fleet, observed);
    const kinds = Object.fromEntries(topology.nodes.map((node) => [node.id, node.kind]));
    expect(kinds).toEqual({ a: 'service', b: 'service', 'kafka:orders': 'cache', 'mysql:shop': 'database' });
    expect(topology.edges.find((edge) => edge.to === 'mysql:shop')).toMatchObject({ toKind: 'database' });
    expect(deriveTopology([], observed).nodes.find((node) => node.id === 'kafka:orders')?.kind).toBe('queue');
  });
});

describe('declaredTargets', () => {
  it.each<[string, Partial<Instance>[], string[]]>([
    ['nothing', [{}], []],
    ['dependsOn', [{ dependsOn: ['x', 'y'] }], ['x', 'y']],
    ['external metadata', [{ metadata: { 'external.pg': 'database', other: 'v' } }], ['pg']],
    ['an empty external name is ignored', [{ metadata: { 'external.': 'database' } }], []],
    ['dependsOn metadata, trimmed, empties dropped', [{ metadata: { dependsOn: ' x ,, y' } }], ['x', 'y']],
  ])('%s', (_name, instances, expected) => {
    expect(declaredTargets(service('svc', 'passing', ...instances)).sort()).toEqual(expected);
  });
});

describe('statuses without probes', () => {
  it.each<[number | undefined, number | undefined, Status]>([
    [undefined, undefined, 'unknown'],
    [0.05, 1, 'unknown'],
    [1, 0, 'passing'],
    [1, 0.049, 'passing'],
    [1, 0.05, 'warning'],
    [1, 0.5, 'critical'],
  ])('rps %s, error rate %s → %s', (rps, errorRate, status) => {
    expect(statusFromCalls(rps, errorRate)).toBe(status);
  });

  it.each<[Status, number | undefined, number | undefined, boolean]>([
    ['passing', undefined, undefined, false],
    ['critical', undefined, undefined, true],
    ['warning', undefined, undefined, true],
    ['unknown', undefined, undefined, false],
    ['passing', 5, 0.2, true],
    ['passing', 0.01, 1, false],
    ['unknown', 2, 0.01, false],
  ])('%s with %s rps at %s errors is failing: %s', (status, inboundRps, inboundErrorRate, failing) => {
    expect(isFailing({ status, inboundRps, inboundErrorRate })).toBe(failing);
  });

  it('judges a service by its status alone: its traffic is already in it, and clears fast', () => {
    expect(isFailing({ kind: 'service', status: 'passing', inboundRps: 5, inboundErrorRate: 0.2 })).toBe(false);
    expect(isFailing({ kind: 'service', status: 'critical' })).toBe(true);
    expect(isFailing({ kind: 'database', status: 'passing', inboundRps: 5, inboundErrorRate: 0.2 })).toBe(true);
  });
});

describe('namespaces and zones', () => {
  it.each([
    ['payments-api', 'payments'],
    ['user.rpc', 'user'],
    ['orders', 'orders'],
    ['a.b-c', 'a'],
    ['-odd', '-odd'],
    ['', ''],
  ])('namespaceOf(%j) = %j', (name, namespace) => {
    expect(namespaceOf(name)).toBe(namespace);
  });

  it.each<[(string | undefined)[], string | undefined]>([
    [[], undefined],
    [[undefined, ''], undefined],
    [['b', 'a', 'b'], 'b'],
    [['b', 'a'], 'a'],
  ])('mostCommon(%j) = %j', (values, expected) => {
    expect(mostCommon(values)).toBe(expected);
  });

  it('takes the primary zone from the instances', () => {
    expect(primaryZone(service('s', 'passing', { zone: 'z2' }, { zone: 'z1' }, { zone: 'z2' }))).toBe('z2');
  });
});

describe('edgeSlowCause', () => {
  it('names an observed edge over 3× its own usual p95, with the figures, and carries the baseline from the store', () => {
    const [edge] = deriveTopology([], [{ from: 'web', to: 'inventory', rps: 5, errorRate: 0, p50Ms: 150, p95Ms: 200, p99Ms: 250, baselineP95Ms: 20 }]).edges;
    expect(edge?.baselineP95Ms).toBe(20);
    expect(edge && edgeSlowCause(edge)).toBe('p95 200 ms, 10× its usual 20 ms');
    expect(edgeSlowCause({ p95Ms: 55, baselineP95Ms: 20 })).toBeNull();
    expect(edgeSlowCause({ p95Ms: 200 })).toBeNull();
  });

  it('judges a node without probes by the calls made to it now: a recovered edge\'s calls count clean, a quiet one\'s not at all, a failing one\'s still fail', () => {
    const over = (edge: EdgeStats, quiet = false): EdgeStats => ({ ...edge, recovered: true, ...(quiet ? { quiet: true } : {}) });
    const statusOf = (...edges: EdgeStats[]) => {
      const found = deriveTopology([], edges).nodes.find((node) => node.id === 'postgres');
      return { status: found?.status, failing: found ? isFailing(found) : undefined };
    };
    // Calls clean again for 10 s: answering now, though the minute still holds the errors.
    expect(statusOf(over(stats('orders', 'postgres', 20, 0.5)))).toEqual({ status: 'passing', failing: false });
    // The calls stopped after failing: no verdict either way.
    expect(statusOf(over(stats('orders', 'postgres', 20, 0.5), true))).toEqual({ status: 'unknown', failing: false });
    // One caller still failing keeps it failing, whatever the others' edges say.
    expect(statusOf(stats('orders', 'postgres', 10, 1), over(stats('users', 'postgres', 10, 1)))).toEqual({ status: 'critical', failing: true });
    expect(statusOf(stats('orders', 'postgres', 10, 1), over(stats('users', 'postgres', 10, 1), true))).toEqual({ status: 'critical', failing: true });
    expect(deriveTopology([], [over(stats('orders', 'postgres', 20, 0.5), true)]).edges[0]).toMatchObject({ recovered: true, quiet: true });
  });
});
