import { describe, expect, it } from 'vitest';
import type { Topology, TopologyEdge, TopologyNode } from '@/lib/model/topology/topology';
import { buildViewGraph } from '@/lib/model/topology/group';
import { BoxIndex, crossedBoxes, unflattenPath } from './edge-route';
import { edgeCurve } from './edge-paint';
import { probableOrigins } from '@/lib/model/topology/graph';
import { utcClock } from '@/lib/model/status/clock';
import { localizeUtcClocks } from '@/lib/client/formatTime';
import { buildFlow, edgeLabel, edgeTone, lostChips, newRouteMemo, nodeCalledText, nodeErrorsChip, originMarks, type FlowInput, type MapEdge, type MapNode } from './flow';

describe('edge colour by errors and by latency against its own baseline', () => {
  it.each<[string, Parameters<typeof edgeTone>[0], string, string | undefined]>([
    ['no calls', {}, 'idle', undefined],
    // Seen with calls this run, none in its minute (a callee that hangs, a caller calling every few minutes): held, drawn idle, not green.
    ['held with no calls in its minute', { rps: 0, baselineP95Ms: 20 }, 'idle', undefined],
    ['calls at their usual speed', { rps: 5, errorRate: 0, p95Ms: 40, baselineP95Ms: 20 }, 'ok', undefined],
    ['exactly 3× is not over 3×', { rps: 5, errorRate: 0, p95Ms: 60, baselineP95Ms: 20 }, 'ok', undefined],
    ['p95 10× its usual', { rps: 5, errorRate: 0, p95Ms: 200, baselineP95Ms: 20 }, 'warning', 'p95 10× usual'],
    ['a fast edge 4× slower but only 12 ms more is jitter', { rps: 5, errorRate: 0, p95Ms: 16, baselineP95Ms: 4 }, 'ok', undefined],
    ['slow without a baseline yet says nothing', { rps: 5, errorRate: 0, p95Ms: 200 }, 'ok', undefined],
    ['errors outrank slowness', { rps: 5, errorRate: 0.2, p95Ms: 200, baselineP95Ms: 20 }, 'critical', '20% errors · 1m'],
    ['a few errors', { rps: 5, errorRate: 0.02, p95Ms: 20, baselineP95Ms: 20 }, 'warning', '2.0% errors · 1m'],
    // 6 calls in the minute, 1 failing: no failing edge.
    ['one stray failure among a handful of calls', { rps: 0.1, errorRate: 1 / 6, p95Ms: 20, baselineP95Ms: 20 }, 'ok', undefined],
    ['…and two', { rps: 0.2, errorRate: 2 / 12 }, 'ok', undefined],
    ['three failed calls in the minute are', { rps: 0.2, errorRate: 3 / 12 }, 'critical', '25% errors · 1m'],
    ['failing, but its last 10 s clean: over', { rps: 5, errorRate: 0.5, recovered: true }, 'ok', undefined],
    // orders → payments 25 s into a payments outage: the minute holds 35 s of successes, the last 30 s all failures.
    ['an outage under way is labelled with its last 30 s', { rps: 2, errorRate: 0.2, recentCalls: 60, recentErrors: 60 }, 'critical', '100% errors · 30s'],
    ['a steady rate keeps the minute', { rps: 2, errorRate: 0.2, recentCalls: 60, recentErrors: 11 }, 'critical', '20% errors · 1m'],
    ['the 30 s need their 3 failed calls too', { rps: 0.1, errorRate: 2 / 6, recentCalls: 2, recentErrors: 2 }, 'ok', undefined],
    ['a recovered edge says nothing, whatever its 30 s', { rps: 2, errorRate: 0.5, recentCalls: 60, recentErrors: 50, recovered: true }, 'ok', undefined],
    ['a slow edge with a stray failure says it is slow', { rps: 0.1, errorRate: 1 / 6, p95Ms: 200, baselineP95Ms: 20 }, 'warning', 'p95 10× usual'],
  ])('%s', (_name, edge, tone, label) => {
    expect(edgeTone(edge)).toBe(tone);
    expect(edgeLabel(edge, edgeTone(edge))).toBe(label);
  });
});

describe('an edge into a service that recovered lately', () => {
  it('says its errors are clearing, not a second recovery to wait for', () => {
    const edge = { rps: 2, errorRate: 0.17 };
    expect(edgeLabel(edge, edgeTone(edge), true)).toBe('17% errors · 1m · clearing');
    expect(edgeLabel(edge, edgeTone(edge), false)).toBe('17% errors · 1m');
    // Slowness is no residue of an outage.
    const slow = { rps: 5, errorRate: 0, p95Ms: 200, baselineP95Ms: 20 };
    expect(edgeLabel(slow, edgeTone(slow), true)).toBe('p95 10× usual');
  });
});

describe('a node\'s errors chip', () => {
  it('shows the rate of the calls it answered only while the node is failing', () => {
    const trailing = { inboundRps: 0.9, inboundErrorRate: 0.35 };
    expect(nodeErrorsChip(trailing, true)).toBe('35% errors');
    // Recovered (green) with the last minute's errors still in the window: no contradicting chip.
    expect(nodeErrorsChip(trailing, false)).toBeUndefined();
    expect(nodeErrorsChip({ inboundRps: 0.05, inboundErrorRate: 0.9 }, true)).toBeUndefined();
    expect(nodeErrorsChip({ inboundRps: 5, inboundErrorRate: 0.01 }, true)).toBeUndefined();
  });

  it('reads the last 30 s when worse than the minute, as the edges into it do: the minute still holds the calls answered before the fault', () => {
    expect(nodeErrorsChip({ inboundRps: 3, inboundErrorRate: 0.11, recentInboundCalls: 90, recentInboundErrors: 57 }, true)).toBe('63% errors');
    // Under the failing rate over the minute, over it in the last 30 s.
    expect(nodeErrorsChip({ inboundRps: 3, inboundErrorRate: 0.03, recentInboundCalls: 90, recentInboundErrors: 18 }, true)).toBe('20% errors');
  });

  it('is always one of the two windows the node’s panel gives, as an edge’s label is one of its panel’s', () => {
    const node = { inboundRps: 3, inboundErrorRate: 0.11, recentInboundCalls: 90, recentInboundErrors: 57 };
    expect(nodeErrorsChip(node, true)).toBe('63% errors');
    expect(nodeCalledText(node)).toBe('3.00/s · 11% errors (1 min), 63% (30 s)');
    // Without 30 s figures (no edge into it had errors in its minute), the minute alone, as before.
    expect(nodeCalledText({ inboundRps: 3, inboundErrorRate: 0 })).toBe('3.00/s · 0% errors (1 min)');
    expect(nodeCalledText({ inboundRps: 3 })).toBe('3.00/s (1 min)');
  });
});

describe('lost instances on a node: gone or still serving', () => {
  const texts = (lost: number, serving: number, all: boolean) => lostChips(lost, serving, all).map((chip) => `${chip.kind}:${chip.text}`);
  it('says lost for processes gone, and out of discovery for processes still serving whose registration went', () => {
    expect(texts(2, 0, true)).toEqual(['lost:all 2 lost']);
    expect(texts(1, 0, true)).toEqual(['lost:lost']);
    expect(texts(1, 1, true)).toEqual(['unlisted:out of discovery']);
    expect(texts(2, 2, true)).toEqual(['unlisted:out of discovery']);
    expect(texts(2, 1, true)).toEqual(['lost:1 lost', 'unlisted:1 out of discovery']);
    expect(texts(1, 0, false)).toEqual(['lost:1 lost']);
    expect(texts(1, 1, false)).toEqual(['unlisted:1 out of discovery']);
  });
  it('says checking, neither lost nor out of discovery, for departures whose still-serving check runs', () => {
    const checking = (lost: number, serving: number, all: boolean, count: number) => lostChips(lost, serving, all, count).map((chip) => `${chip.kind}:${chip.text}`);
    // Its count and the words' last clause: 'left discovery, checking' was cut at 1.3× (its title says it whole).
    expect(checking(0, 0, true, 3)).toEqual(['checking:all 3 checking']);
    expect(lostChips(0, 0, true, 3)[0]?.title).toMatch(/^Left discovery, checking: /);
    expect(checking(1, 0, true, 2)).toEqual(['lost:1 lost', 'checking:2 checking']);
    expect(checking(1, 1, true, 1)).toEqual(['unlisted:1 out of discovery', 'checking:1 checking']);
    expect(lostChips(0, 0, true, 1)[0]?.title).toMatch(/not lost/);
  });
  it('tells each what it needs', () => {
    const [gone] = lostChips(1, 0, false);
    const [serving] = lostChips(1, 1, false);
    expect(gone?.title).toMatch(/restart/);
    expect(serving?.title).toMatch(/etcd/);
  });
});

describe('edges routed around the nodes in their way', () => {
  const node = (id: string, patch: Partial<TopologyNode> = {}): TopologyNode => ({ id, kind: 'service', status: 'passing', instances: 2, drained: 0, zones: [], formats: [], ...patch });
  const edge = (from: string, to: string, patch: Partial<TopologyEdge> = {}): TopologyEdge => ({ from, to, source: 'declared', sources: ['declared'], ...patch });
  // The demo's outage: api-gateway → auth skips a layer, and payments (failing, the likely origin) lies on its curve.
  const topology: Topology = {
    nodes: [node('api-gateway'), node('orders'), node('payments', { status: 'critical' }), node('auth')],
    edges: [edge('api-gateway', 'orders'), edge('orders', 'payments', { rps: 2, errorRate: 1, recentCalls: 60, recentErrors: 60 }), edge('api-gateway', 'auth')],
  };
  const graph = buildViewGraph(topology, 'none', () => false);
  const positions = new Map([
    ['n:api-gateway', { x: 0, y: 300 }],
    ['n:orders', { x: 290, y: 520 }],
    ['n:payments', { x: 580, y: 560 }],
    ['n:auth', { x: 880, y: 700 }],
  ]);
  const input = (patch: Partial<FlowInput> = {}): FlowInput => ({
    graph,
    nodeById: new Map(topology.nodes.map((n) => [n.id, n])),
    positions,
    visible: new Set(topology.nodes.map((n) => n.id)),
    failing: new Set(['payments']),
    origins: new Set(['payments']),
    matches: null,
    selected: '',
    groupMode: 'none',
    nowMs: Date.parse('2026-01-05T10:00:00Z'),
    clock: utcClock,
    ...patch,
  });
  const gatewayToAuth = (edges: MapEdge[]) => edges.find((e) => e.source === 'n:api-gateway' && e.target === 'n:auth');

  it('draws api-gateway → auth clear of payments, and the edges with nothing in their way as before', () => {
    const flow = buildFlow(input());
    const route = gatewayToAuth(flow.edges)?.data?.route;
    expect(route).toBeDefined();
    const gateway = flow.rects.get('n:api-gateway');
    const auth = flow.rects.get('n:auth');
    if (!route || !gateway || !auth) throw new Error('no route');
    const index = new BoxIndex(flow.rects.values());
    expect(crossedBoxes([edgeCurve(gateway, auth)], index, [gateway, auth]).size).toBe(1);
    expect(crossedBoxes(unflattenPath(route), index, [gateway, auth]).size).toBe(0);
    expect(flow.edges.filter((e) => e.data?.route !== undefined)).toHaveLength(1);
  });

  it("names a node's cause in its label as a clause, not in parentheses that nest the cause's own", () => {
    const cause = 'all 2 instances degraded — payments-1: error rate 30 % over 30 s (threshold 25 %)';
    const withCause = { ...topology, nodes: topology.nodes.map((n) => (n.id === 'payments' ? { ...n, cause } : n)) };
    const flow = buildFlow(input({ nodeById: new Map(withCause.nodes.map((n) => [n.id, n])) }));
    expect(flow.nodes.find((n) => n.id === 'n:payments')?.ariaLabel).toBe(`payments: critical, 2 instances, ${cause}, likely origin`);
  });

  it('says in a node\'s label its lost instances, and "flapping" while its flap lasts: until flappingUntil, not after', () => {
    const untilMs = Date.parse('2026-01-05T10:10:00Z');
    const flapping = topology.nodes.map((n) => (n.id === 'orders' ? { ...n, lost: 2, lostServing: 1, drained: 1, flappingUntil: new Date(untilMs).toISOString() } : n));
    const label = (nowMs: number) => buildFlow(input({ nodeById: new Map(flapping.map((n) => [n.id, n])), nowMs })).nodes.find((n) => n.id === 'n:orders')?.ariaLabel;
    expect(label(untilMs - 1)).toBe('orders: passing, 2 instances, 1 lost, 1 out of discovery, flapping, 1 drained');
    expect(label(untilMs)).toBe('orders: passing, 2 instances, 1 lost, 1 out of discovery, 1 drained');
  });

  it('counts a collapsed group\'s flapping services, in its data and its label, while their flaps last', () => {
    const untilMs = Date.parse('2026-01-05T10:10:00Z');
    const zoned = topology.nodes.map((n) => ({ ...n, zone: 'eu-1', zones: ['eu-1'], ...(n.id === 'orders' || n.id === 'auth' ? { flappingUntil: new Date(n.id === 'auth' ? untilMs + 60_000 : untilMs).toISOString() } : {}) }));
    const grouped = buildViewGraph({ ...topology, nodes: zoned }, 'zone', () => true);
    const group = (nowMs: number) =>
      buildFlow(input({ graph: grouped, nodeById: new Map(zoned.map((n) => [n.id, n])), positions: new Map([['g:eu-1', { x: 0, y: 0 }]]), groupMode: 'zone', nowMs })).nodes.find((n) => n.type === 'cluster');
    expect(group(untilMs - 1)?.data.flapping).toBe(2);
    expect(group(untilMs - 1)?.ariaLabel).toMatch(/, 2 flapping$/);
    expect(group(untilMs)?.data.flapping).toBe(1);
    expect(group(untilMs + 60_000)?.data.flapping).toBe(0);
    expect(group(untilMs + 60_000)?.ariaLabel).not.toMatch(/flapping/);
  });

  it('marks a recovered origin as having been one, with when it recovered: no current-origin mark or ring beside its passing status', () => {
    const recoveredAt = '2026-01-05T09:59:40.000Z';
    const passing = topology.nodes.map((n) => (n.id === 'payments' ? { ...n, status: 'passing' as const } : n));
    const flow = buildFlow(input({ nodeById: new Map(passing.map((n) => [n.id, n])), failing: new Set(['orders']), origins: new Set(), recoveredOrigins: new Map([['payments', recoveredAt]]) }));
    const payments = flow.nodes.find((n) => n.id === 'n:payments');
    expect(payments?.data).toMatchObject({ origin: false, originRecoveredAt: recoveredAt });
    expect(payments?.className).not.toMatch(/is-origin/);
    expect(payments?.ariaLabel).toBe('payments: passing, 2 instances, was the likely origin, recovered at 09:59:40 UTC');
  });

  it("writes a recovered origin's time in its label as the map's clock writes it (the reader's, as its title and panel), not in UTC", () => {
    const passing = topology.nodes.map((n) => (n.id === 'payments' ? { ...n, status: 'passing' as const } : n));
    const tokyo = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { timeZone: 'Asia/Tokyo', hour12: false });
    const clock = (iso: string): string => localizeUtcClocks(utcClock(iso), Date.parse(iso), tokyo);
    const flow = buildFlow(input({ nodeById: new Map(passing.map((n) => [n.id, n])), failing: new Set(['orders']), origins: new Set(), recoveredOrigins: new Map([['payments', '2026-01-05T09:59:40.000Z']]), clock }));
    expect(flow.nodes.find((n) => n.id === 'n:payments')?.ariaLabel).toBe('payments: passing, 2 instances, was the likely origin, recovered at 18:59:40');
  });

  describe("a collapsed group's origin mark", () => {
    const zoned = (nodes: TopologyNode[]) => nodes.map((n) => ({ ...n, zone: 'eu-1', zones: ['eu-1'] }));
    const group = (nodes: TopologyNode[], patch: Partial<FlowInput>) =>
      buildFlow(
        input({ graph: buildViewGraph({ ...topology, nodes: zoned(nodes) }, 'zone', () => true), nodeById: new Map(zoned(nodes).map((n) => [n.id, n])), positions: new Map([['g:eu-1', { x: 0, y: 0 }]]), groupMode: 'zone', ...patch }),
      ).nodes.find((n) => n.type === 'cluster');

    it('is the current mark while a member is a current origin', () => {
      const cluster = group(topology.nodes, {});
      expect(cluster?.data).toMatchObject({ origin: true });
      expect(cluster?.data).not.toHaveProperty('originRecoveredAt');
      expect(cluster?.ariaLabel).toBe('Group eu-1: 4 services, critical, 1 failing, holds the likely origin payments');
    });

    it('says a member was the origin, with when it recovered, when its only origin has recovered (no mark at all before)', () => {
      const passing = topology.nodes.map((n) => (n.id === 'payments' ? { ...n, status: 'passing' as const } : n.id === 'orders' ? { ...n, status: 'critical' as const } : n));
      const cluster = group(passing, { failing: new Set(['orders']), origins: new Set(), recoveredOrigins: new Map([['payments', '2026-01-05T09:59:40.000Z']]) });
      expect(cluster?.data).toMatchObject({ origin: false, recoveredOrigin: 'payments', originRecoveredAt: '2026-01-05T09:59:40.000Z' });
      expect(cluster?.ariaLabel).toBe('Group eu-1: 4 services, critical, 1 failing, holds payments, which was the likely origin, recovered at 09:59:40 UTC');
    });
  });

  it('keeps the same edge objects through a status change (routes are made again only when a box moves)', () => {
    const memo = newRouteMemo();
    const first = buildFlow(input(), undefined, memo);
    const cache = new Map<string, MapNode | MapEdge>([...first.nodes.map((n) => [n.id, n] as const), ...first.edges.map((e) => [e.id, e] as const)]);
    const second = buildFlow(input({ failing: new Set(), origins: new Set() }), cache, memo);
    expect(gatewayToAuth(second.edges)).toBe(gatewayToAuth(first.edges));
    // While payments is dragged away, the other edges keep their routes (made again once it is dropped)…
    const dragging = new Map([['n:payments', { x: 580, y: 900 }]]);
    expect(gatewayToAuth(buildFlow(input({ dragging }), cache, memo).edges)?.data?.route).toBe(gatewayToAuth(first.edges)?.data?.route);
    // …and dropped there, out of the way, the edge is the bezier again.
    const moved = new Map([...positions, ['n:payments', { x: 580, y: 900 }]]);
    expect(gatewayToAuth(buildFlow(input({ positions: moved }), cache, memo).edges)?.data?.route).toBeUndefined();
  });
});

describe('the map\'s origin marks from the analysis', () => {
  // The demo's outage 11 s after payments recovered (orders still clearing its errors), beside a
  // second, current one: catalog failing search.
  const NOW = Date.parse('2026-01-05T10:00:00Z');
  const ago = (seconds: number): string => new Date(NOW - seconds * 1_000).toISOString();
  const node = (id: string, patch: Partial<TopologyNode> = {}): TopologyNode => ({ id, kind: 'service', status: 'passing', instances: 2, drained: 0, zones: [], formats: [], ...patch });
  const edge = (from: string, to: string, patch: Partial<TopologyEdge> = {}): TopologyEdge => ({ from, to, source: 'declared', sources: ['declared'], ...patch });
  const failingCalls = { rps: 2, errorRate: 1 };
  const topology: Topology = {
    nodes: [node('orders', { status: 'critical', failingSince: ago(70) }), node('payments', { recoveredAt: ago(11) }), node('search', { status: 'critical', failingSince: ago(30) }), node('catalog', { status: 'critical', failingSince: ago(40) })],
    edges: [edge('orders', 'payments', failingCalls), edge('search', 'catalog', failingCalls)],
  };

  it('marks the recovered origin as having been one and the current one as current, as probableOrigins names them', () => {
    const origins = probableOrigins(topology, { now: NOW });
    expect(origins.map((origin) => [origin.id, origin.recoveredAt])).toEqual([
      ['catalog', undefined],
      ['payments', ago(11)],
    ]);
    const flow = buildFlow({
      graph: buildViewGraph(topology, 'none', () => false),
      nodeById: new Map(topology.nodes.map((n) => [n.id, n])),
      positions: new Map(topology.nodes.map((n, i) => [`n:${n.id}`, { x: i * 300, y: 0 }])),
      visible: new Set(topology.nodes.map((n) => n.id)),
      failing: new Set(['orders', 'search', 'catalog']),
      ...originMarks(origins),
      matches: null,
      selected: '',
      groupMode: 'none',
      nowMs: NOW,
      clock: utcClock,
    });
    const marks = flow.nodes.flatMap((n) => (n.type === 'service' ? [[n.data.name, n.data.origin, n.data.originRecoveredAt, n.className?.includes('is-origin')]] : []));
    expect(marks).toEqual([
      ['orders', false, undefined, false],
      ['payments', false, ago(11), false],
      ['search', false, undefined, false],
      ['catalog', true, undefined, true],
    ]);
  });
});
