import { describe, expect, it } from 'vitest';
import type { Lost, Status } from '../instance';
import type { EdgeStats } from '../latency';
import { summarizeInstances, type ServiceSummary } from '../service-summary';
import { adjacency, dependencyAdjacency, describeOrigin, neighbourhood, nextResidueExpiry, probableOrigins, RECOVERY_RESIDUE_MS, stronglyConnected } from './graph';
import { deriveTopologyFromSummaries, type Topology, type TopologyEdge, type TopologyNode } from './topology';

const NOW = Date.parse('2026-12-05T05:10:00Z');
const secondsAgo = (seconds: number): string => new Date(NOW - seconds * 1_000).toISOString();

/**
 * `a>b` edges; `x!` marks a failing (critical) service, `x~` something without probes (a database)
 * failing by its callers' errors, `x^` a service that recovered (passing) while the last minute of
 * its callers' errors still shows, `x?` a critical service none of whose instances passed in this run,
 * `x*` a service not probed yet (back after an outage) while its callers' calls to it still fail,
 * `x@` a service failing only through lost instances (out of discovery: crashed, or cut off from etcd).
 */
function graph(spec: string): Topology {
  const ids = new Set<string>();
  const marks = new Map<string, string>();
  const edges: Topology['edges'] = [];
  for (const token of spec.split(/\s+/).filter(Boolean)) {
    const names = token.split('>').map((raw) => {
      const name = raw.replace(/[!~^?*@]$/, '');
      if (raw !== name) marks.set(name, raw.slice(-1));
      ids.add(name);
      return name;
    });
    for (let i = 0; i + 1 < names.length; i += 1) edges.push({ from: names[i] ?? '', to: names[i + 1] ?? '', source: 'declared', sources: ['declared'] });
  }
  const nodes: TopologyNode[] = [...ids].sort().map((id) => {
    const mark = marks.get(id);
    const status: Status = mark === '!' || mark === '?' || mark === '@' ? 'critical' : mark === '*' ? 'unknown' : 'passing';
    return {
      id,
      kind: mark === '~' ? 'database' : 'service',
      status,
      instances: 1,
      drained: 0,
      zones: [],
      formats: [],
      ...(mark === '~' || mark === '^' || mark === '*' ? { inboundRps: 10, inboundErrorRate: 0.4 } : {}),
      ...(mark === '?' ? { neverPassed: true as const } : {}),
      ...(mark === '@' ? { lost: 1, failingOnlyLost: true as const } : {}),
    };
  });
  return { nodes, edges };
}

describe('neighbourhood (focus mode)', () => {
  // gateway → orders → payments → postgres; gateway → users; billing → payments
  const topology = graph('gateway>orders>payments>postgres gateway>users billing>payments');
  const adj = adjacency(topology.edges);
  const around = (center: string, hops: number) => Object.fromEntries([...neighbourhood(adj, center, hops)].map(([id, r]) => [id, `${r.direction}${r.hops}`]));

  it.each<[string, number, Record<string, string>]>([
    ['payments', 1, { payments: 'center0', postgres: 'down1', orders: 'up1', billing: 'up1' }],
    ['payments', 2, { payments: 'center0', postgres: 'down1', orders: 'up1', billing: 'up1', gateway: 'up2' }],
    // Directions never mix: users is the gateway's dependency, not the payments' neighbour.
    ['payments', 5, { payments: 'center0', postgres: 'down1', orders: 'up1', billing: 'up1', gateway: 'up2' }],
    ['gateway', 1, { gateway: 'center0', orders: 'down1', users: 'down1' }],
    ['gateway', 3, { gateway: 'center0', orders: 'down1', users: 'down1', payments: 'down2', postgres: 'down3' }],
    ['lonely', 2, { lonely: 'center0' }],
  ])('%s, %i hops', (center, hops, expected) => {
    expect(around(center, hops)).toEqual(expected);
  });

  it('survives cycles', () => {
    const cyclic = adjacency(graph('a>b>c>a').edges);
    expect([...neighbourhood(cyclic, 'a', 3).keys()].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('stronglyConnected', () => {
  it.each<[string, string[][]]>([
    ['a>b>c', [['a'], ['b'], ['c']]],
    ['a>b>a c>a', [['a', 'b'], ['c']]],
    ['a>b>c>a c>d', [['a', 'b', 'c'], ['d']]],
  ])('%s', (spec, expected) => {
    const topology = graph(spec);
    const adj = adjacency(topology.edges);
    const components = stronglyConnected(
      topology.nodes.map((n) => n.id),
      (id) => adj.down.get(id) ?? [],
    );
    expect(components.sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? ''))).toEqual(expected);
  });

  it('handles a long chain without recursion', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    const components = stronglyConnected(ids, (id) => {
      const i = Number(id.slice(1));
      return i + 1 < ids.length ? [`n${i + 1}`] : [];
    });
    expect(components).toHaveLength(20_000);
  });
});

describe('probableOrigins', () => {
  const origins = (spec: string) => probableOrigins(graph(spec), { now: NOW }).map((o) => ({ id: o.id, explains: o.explains, peers: o.peers }));

  it.each<[string, string, { id: string; explains: string[]; peers: string[] }[]]>([
    ['nothing failing', 'a>b>c', []],
    ['one failing service is an isolated failure, not an origin', 'a>b!>c', []],
    ['two unrelated failures explain nothing', 'a!>b c!>d', []],
    ['the deepest failing dependency', 'gateway!>orders!>payments!>postgres', [{ id: 'payments', explains: ['gateway', 'orders'], peers: [] }]],
    [
      'several failing callers of one origin',
      'gateway!>orders!>payments!>postgres billing!>payments shop!>billing',
      [{ id: 'payments', explains: ['billing', 'gateway', 'orders', 'shop'], peers: [] }],
    ],
    ['a healthy node breaks the chain', 'gateway!>orders>payments!>postgres', []],
    ['failing through callers\u2019 errors counts', 'gateway!>orders~>payments~', [{ id: 'payments', explains: ['gateway', 'orders'], peers: [] }]],
    [
      'two independent incidents, bigger first',
      'a!>b!>c! x!>y!',
      [
        { id: 'c', explains: ['a', 'b'], peers: [] },
        { id: 'y', explains: ['x'], peers: [] },
      ],
    ],
    [
      'a failing cycle with healthy dependencies is an origin together',
      'gateway!>a!>b!>a b>db',
      [
        { id: 'a', explains: ['gateway'], peers: ['b'] },
        { id: 'b', explains: ['gateway'], peers: ['a'] },
      ],
    ],
    ['a failing external with no dependencies', 'api!>orders!>postgres~', [{ id: 'postgres', explains: ['api', 'orders'], peers: [] }]],
    ['a recovered service is not failing, whatever its last minute of edge errors', 'web!>payments^', []],
    ['a new fault gets its own origin while an older one recovers', 'web!>orders!>payments^>postgres', [{ id: 'orders', explains: ['web'], peers: [] }]],
    [
      'a service back but not probed yet stays the origin while calls to it still fail, instead of its callers each being one',
      'gateway!>auth!>users* gateway>orders!>users* recommendations!>users*',
      [{ id: 'users', explains: ['auth', 'gateway', 'orders', 'recommendations'], peers: [] }],
    ],
    ['a service not probed yet whose calls succeed is no origin', 'web!>orders!>fresh', [{ id: 'orders', explains: ['web'], peers: [] }]],
    ['stale registrations from an earlier run are no origins', 'web?>orders?>payments?>postgres', []],
    ['a stale dependency neither is an origin nor hides the one failing now', 'web!>orders!>payments? orders>postgres', [{ id: 'orders', explains: ['web'], peers: [] }]],
    ['two services cut off from etcd together: the one the other depends on is not its origin', 'web@>orders@', []],
    [
      'a lost service is the origin of callers failing on it, not explained by a lost dependency of its own',
      'gateway!>orders@>payments@',
      [{ id: 'orders', explains: ['gateway'], peers: [] }],
    ],
    ['diamond: both paths lead to one origin', 'top!>left!>bottom! top>right!>bottom', [{ id: 'bottom', explains: ['left', 'right', 'top'], peers: [] }]],
  ])('%s', (_name, spec, expected) => {
    expect(origins(spec)).toEqual(expected);
  });

  it('a lost service whose calls to a dependency failed before it went is explained by that dependency', () => {
    const topology = graph('web@>payments! web>search@');
    const failed = (edge: TopologyEdge): TopologyEdge => (edge.from === 'web' && edge.to === 'payments' ? { ...edge, rps: 5, errorRate: 0.5 } : edge);
    const withCalls = { ...topology, edges: topology.edges.map(failed) };
    expect(probableOrigins(withCalls, { now: NOW }).map((o) => [o.id, o.explains])).toEqual([['payments', ['web']]]);
    expect(probableOrigins(topology, { now: NOW })).toEqual([]);
  });

  it('names the database or cache slow services wait on the origin, not the services: it has no status of its own', () => {
    // Each store slow to its one caller (reviews' calls to postgres, users' to redis), the calls
    // between services untimed: two slow stores as far as the statistics tell. A busy machine, every
    // call slow, names nothing (likely-cause.test.ts); "Likely origin: reviews" blamed a waiting service.
    const topology = graph('catalog!>reviews!>postgres auth!>users!>redis');
    const slow = (node: TopologyNode): TopologyNode => (node.kind === 'service' ? { ...node, status: 'warning', causeKind: 'latency' } : node);
    const timed = (p95Ms: number) => (edge: TopologyEdge): TopologyEdge => ({ ...edge, rps: 5, errorRate: 0, p95Ms, baselineP95Ms: 25 });
    const externals = new Map<string, 'database' | 'cache'>([['postgres', 'database'], ['redis', 'cache']]);
    const nodes = topology.nodes.map((node) => {
      const kind = externals.get(node.id);
      return kind ? { ...node, kind, status: 'unknown' as const } : slow(node);
    });
    const at = (p95Ms: number): Topology => ({ nodes, edges: topology.edges.map((edge) => (externals.has(edge.to) ? timed(p95Ms)(edge) : edge)) });
    expect(probableOrigins(at(300), { now: NOW }).map((o) => [o.id, o.explains, o.slow])).toEqual([
      ['postgres', ['catalog', 'reviews'], true],
      ['redis', ['auth', 'users'], true],
    ]);
    const [postgres] = probableOrigins(at(300), { now: NOW });
    expect(postgres && describeOrigin(postgres)).toBe('postgres is slow to the services that wait on it and depends on nothing else Switchyard knows of: likely origin of 2 failing services');
    // Its calls as fast as usual: the slowness is its own.
    expect(probableOrigins(at(27), { now: NOW }).map((o) => [o.id, o.explains, o.slow])).toEqual([
      ['reviews', ['catalog'], undefined],
      ['users', ['auth'], undefined],
    ]);
    // Failing by errors, not latency: its own failure, whatever its calls take (users still waits on redis).
    const failingByErrors: Topology = { ...at(300), nodes: nodes.map((node) => (node.id === 'reviews' ? { ...node, status: 'critical', causeKind: 'error_rate' } : node)) };
    expect(probableOrigins(failingByErrors, { now: NOW }).map((o) => o.id)).toEqual(['redis', 'reviews']);
  });

  it('names a slow service, not a passing one only it sees slow: a caller times its calls, its own saturation included', () => {
    const topology = graph('gateway!>orders!>payments billing>payments');
    const slowOnly = (ids: readonly string[]) => topology.nodes.map((node) => (ids.includes(node.id) ? { ...node, status: 'warning' as const, causeKind: 'latency' as const } : node));
    const timed = (p95: ReadonlyMap<string, number>) => topology.edges.map((edge) => ({ ...edge, rps: 5, errorRate: 0, p95Ms: p95.get(`${edge.from}>${edge.to}`) ?? 25, baselineP95Ms: 25 }));
    const saturated: Topology = { nodes: slowOnly(['gateway', 'orders']), edges: timed(new Map([['gateway>orders', 900], ['orders>payments', 200]])) };
    expect(probableOrigins(saturated, { now: NOW }).map((o) => [o.id, o.explains])).toEqual([['orders', ['gateway']]]);
    // billing's calls to payments are slow too: payments is slow, whatever its own status says.
    const seenSlowTwice: Topology = { ...saturated, edges: timed(new Map([['gateway>orders', 900], ['orders>payments', 200], ['billing>payments', 150]])) };
    expect(probableOrigins(seenSlowTwice, { now: NOW }).map((o) => [o.id, o.explains, o.slow])).toEqual([['payments', ['gateway', 'orders'], true]]);
    // payments slow by its own status: the origin as any failing dependency is.
    const slowItself: Topology = { nodes: slowOnly(['gateway', 'orders', 'payments']), edges: saturated.edges };
    expect(probableOrigins(slowItself, { now: NOW }).map((o) => [o.id, o.explains, o.slow])).toEqual([['payments', ['gateway', 'orders'], undefined]]);
  });

  it('reads who is out of discovery from the services\' summaries (a zone cut off from etcd, still serving)', () => {
    const lost = { at: secondsAgo(30), cause: 'lease expired', passingBefore: 1, stillServing: true as const };
    const unlisted = (service: string, dependsOn: string[]): ServiceSummary =>
      summarizeInstances(service, [{ id: `${service}-1`, service, key: `/services/${service}/${service}-1`, address: '10.0.0.1:80', format: 'native', metadata: {}, status: 'warning', drain: null, passedAt: secondsAgo(60), dependsOn, lost }]);
    const topology = deriveTopologyFromSummaries([unlisted('web', ['orders']), unlisted('orders', [])]);
    expect(topology.edges.map((edge) => `${edge.from}>${edge.to}`)).toEqual(['web>orders']);
    expect(topology.nodes.map((node) => [node.id, node.failingOnlyLost])).toEqual([['orders', true], ['web', true]]);
    expect(probableOrigins(topology, { now: NOW })).toEqual([]);
  });

  describe('names only what the console can show failing, never from call statistics alone', () => {
    const calls = (from: string, to: string): EdgeStats => ({ from, to, rps: 10, errorRate: 0.5, p50Ms: 5, p95Ms: 9, p99Ms: 12 });
    const summary = (service: string, lost?: Lost): ServiceSummary =>
      summarizeInstances(service, [
        {
          id: `${service}-1`,
          service,
          key: `/services/${service}/${service}-1`,
          address: '10.0.0.1:80',
          format: 'native',
          metadata: {},
          status: lost ? 'unknown' : 'critical',
          drain: null,
          passedAt: secondsAgo(60),
          ...(lost ? { lost } : {}),
        },
      ]);

    it('nothing while nothing is registered (every lease expired at once): the nodes are names from calls', () => {
      const topology = deriveTopologyFromSummaries([], [calls('gateway', 'orders'), calls('orders', 'payments')]);
      expect(topology.nodes.filter((node) => node.status !== 'passing' && node.status !== 'unknown').map((node) => node.id)).toEqual(['orders', 'payments']);
      expect(probableOrigins(topology, { now: NOW })).toEqual([]);
    });

    it('not a name only calls mention, and not its failing callers either: they fail on it', () => {
      const topology = deriveTopologyFromSummaries([summary('gateway')], [calls('gateway', 'orders'), calls('orders', 'payments')]);
      expect(probableOrigins(topology, { now: NOW })).toEqual([]);
      // Declared by a registered service, the same name is a dependency the console shows: an origin.
      const declared = deriveTopologyFromSummaries([{ ...summary('gateway'), dependsOn: ['orders'] }], [calls('gateway', 'orders')]);
      expect(probableOrigins(declared, { now: NOW }).map((origin) => [origin.id, origin.explains])).toEqual([['orders', ['gateway']]]);
    });

    it('not a service whose every instance left discovery and is being checked, by its callers\' errors', () => {
      const checking: Lost = { at: secondsAgo(5), cause: 'left discovery — checking whether it still serves', passingBefore: 1, checking: true };
      const topology = deriveTopologyFromSummaries([summary('gateway'), summary('orders', checking)], [calls('gateway', 'orders')]);
      expect(topology.nodes.map((node) => [node.id, node.status, node.checking])).toEqual([
        ['gateway', 'critical', undefined],
        ['orders', 'unknown', 1],
      ]);
      expect(probableOrigins(topology, { now: NOW })).toEqual([]);
    });
  });

  it.each<[string, string, string]>([
    ['gateway!>orders!>payments!>postgres', 'payments', 'payments is failing and all its dependencies are healthy: likely origin of 2 failing services'],
    ['api!>postgres!', 'postgres', 'postgres is failing and depends on nothing else Switchyard knows of: likely origin of 1 failing service'],
    ['g!>a!>b!>a', 'a', 'a and b are failing together (they depend on each other) and their other dependencies are healthy: likely origin of 1 failing service'],
  ])('explains %s', (spec, id, sentence) => {
    const origin = probableOrigins(graph(spec), { now: NOW }).find((o) => o.id === id);
    expect(origin && describeOrigin(origin)).toBe(sentence);
  });

  describe('after a recovery', () => {
    /**
     * inventory was down and is back; orders (which calls it) and gateway (which calls orders) still
     * fail on the errors of its outage, which their status windows and late reports still hold.
     */
    const service = (id: string, fields: Partial<TopologyNode>): TopologyNode => ({ id, kind: 'service', status: 'passing', instances: 1, drained: 0, zones: [], formats: [], ...fields });
    const calls = (from: string, to: string, errorRate: number): TopologyEdge => ({ from, to, source: 'observed', sources: ['observed'], rps: 20, errorRate });
    const outage = (fields: { recovered: number; ordersFailing: number; errorRate?: number }): Topology => ({
      nodes: [
        service('gateway', { status: 'critical', failingSince: secondsAgo(fields.ordersFailing - 2) }),
        service('inventory', { recoveredAt: secondsAgo(fields.recovered) }),
        service('orders', { status: 'critical', failingSince: secondsAgo(fields.ordersFailing) }),
      ],
      edges: [calls('gateway', 'orders', 0.4), calls('orders', 'inventory', fields.errorRate ?? 0.5)],
    });
    const summary = (topology: Topology) => probableOrigins(topology, { now: NOW }).map((o) => ({ id: o.id, explains: o.explains, recoveredAt: o.recoveredAt }));

    it('callers that began failing before the recovery are its residue: the recovered dependency stays their origin', () => {
      expect(summary(outage({ recovered: 11, ordersFailing: 70 }))).toEqual([{ id: 'inventory', explains: ['gateway', 'orders'], recoveredAt: secondsAgo(11) }]);
    });

    it('a caller that began failing after the recovery is a new fault, its own origin', () => {
      expect(summary(outage({ recovered: 30, ordersFailing: 10 }))).toEqual([{ id: 'orders', explains: ['gateway'], recoveredAt: undefined }]);
    });

    it('a recovery longer ago than any residue lasts leaves the failing caller the origin', () => {
      expect(summary(outage({ recovered: 181, ordersFailing: 300 }))).toEqual([{ id: 'orders', explains: ['gateway'], recoveredAt: undefined }]);
    });

    it('without failed calls to the recovered dependency in the last minute, it explains nothing', () => {
      expect(summary(outage({ recovered: 11, ordersFailing: 70, errorRate: 0.01 }))).toEqual([{ id: 'orders', explains: ['gateway'], recoveredAt: undefined }]);
    });

    it('says when the next recent recovery stops counting', () => {
      expect(nextResidueExpiry(outage({ recovered: 11, ordersFailing: 70 }), NOW)).toBe(NOW - 11_000 + RECOVERY_RESIDUE_MS);
      expect(nextResidueExpiry(outage({ recovered: 181, ordersFailing: 300 }), NOW)).toBeNull();
    });

    it('passes the blame on when the recovered dependency depends on something failing now (a caller flapping early in an outage)', () => {
      const topology = outage({ recovered: 11, ordersFailing: 70 });
      const flapping: Topology = {
        nodes: [...topology.nodes, service('stock', { status: 'warning', failingSince: secondsAgo(5) })],
        edges: [...topology.edges, calls('inventory', 'stock', 0.3)],
      };
      expect(summary(flapping)).toEqual([{ id: 'stock', explains: ['gateway', 'inventory', 'orders'], recoveredAt: undefined }]);
    });

    it('explains a lone caller still clearing its errors too', () => {
      const topology = outage({ recovered: 11, ordersFailing: 70 });
      const alone: Topology = { nodes: topology.nodes.map((node) => (node.id === 'gateway' ? { ...node, status: 'passing', failingSince: undefined } : node)), edges: topology.edges };
      expect(summary(alone)).toEqual([{ id: 'inventory', explains: ['orders'], recoveredAt: secondsAgo(11) }]);
    });

    it('says when it recovered and who is still clearing its errors', () => {
      const [origin] = probableOrigins(outage({ recovered: 11, ordersFailing: 70 }), { now: NOW });
      expect(origin && describeOrigin(origin)).toBe(
        'inventory recovered at 05:09:49 UTC; gateway and orders, which depend on it, are still clearing its errors: likely origin of 2 failing services',
      );
    });
  });
});

describe('dependencyAdjacency', () => {
  it('links what the map draws: declared dependencies and observed pairs, without deriving the map', () => {
    const summary = (name: string, dependsOn?: string[]): ServiceSummary => ({ name, status: 'passing', instances: 1, byStatus: { passing: 1 }, formats: ['native'], versions: [], zones: [], ...(dependsOn ? { dependsOn } : {}) });
    const services = [summary('web', ['orders']), summary('orders', ['postgres']), summary('stock')];
    const observed = [
      { from: 'orders', to: 'stock' },
      { from: 'web', to: 'orders' },
      { from: '', to: 'stock' },
    ];
    const sorted = (graph: { down: ReadonlyMap<string, readonly string[]> }) => [...graph.down].map(([from, to]) => [from, [...new Set(to)].sort()]).sort();
    const map = deriveTopologyFromSummaries(services, observed.map((pair) => ({ ...pair, rps: 1, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null })));
    expect(sorted(dependencyAdjacency(services, observed))).toEqual(sorted(adjacency(map.edges)));
    expect(sorted(dependencyAdjacency(services, observed))).toEqual([
      ['orders', ['postgres', 'stock']],
      ['web', ['orders']],
    ]);
  });
});
