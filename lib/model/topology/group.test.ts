import { describe, expect, it } from 'vitest';
import type { Status } from '../instance';
import { buildViewGraph, groupKeyOf, groupsOf, type GroupMode } from './group';
import type { Topology, TopologyEdge, TopologyNode } from './topology';

const node = (id: string, patch: Partial<TopologyNode> = {}): TopologyNode => ({
  id,
  kind: 'service',
  status: 'passing',
  instances: 2,
  drained: 0,
  zones: [],
  formats: [],
  ...patch,
});
const edge = (from: string, to: string, patch: Partial<TopologyEdge> = {}): TopologyEdge => ({ from, to, source: 'declared', sources: ['declared'], ...patch });

describe('groupKeyOf', () => {
  it.each<[Partial<TopologyNode> & { id: string }, GroupMode, string | undefined]>([
    [{ id: 'payments-api' }, 'none', undefined],
    [{ id: 'payments-api' }, 'namespace', 'payments'],
    [{ id: 'user.rpc' }, 'namespace', 'user'],
    [{ id: 'payments-api', zone: 'eu-1a' }, 'zone', 'eu-1a'],
    [{ id: 'payments-api' }, 'zone', undefined],
    [{ id: 'postgres', kind: 'database' }, 'namespace', undefined],
  ])('%j by %s → %s', (patch, mode, key) => {
    expect(groupKeyOf(node(patch.id, patch), mode)).toBe(key);
  });
});

describe('groupsOf', () => {
  const nodes = [
    node('pay-api', { status: 'critical', drained: 1 }),
    node('pay-worker'),
    node('pay-ledger', { status: 'warning' }),
    node('solo'),
    node('postgres', { kind: 'database', instances: 0 }),
  ];

  it('groups services by namespace, ignoring single-member groups and externals', () => {
    const groups = groupsOf(nodes, 'namespace');
    expect([...groups.keys()]).toEqual(['pay']);
    expect(groups.get('pay')).toEqual({
      key: 'pay',
      members: ['pay-api', 'pay-ledger', 'pay-worker'],
      status: 'critical',
      byStatus: { passing: 1, warning: 1, critical: 1, unknown: 0 },
      failing: 2,
      instances: 6,
      drained: 1,
    });
  });

  it.each<[Status[], Status]>([
    [['passing', 'passing'], 'passing'],
    [['passing', 'unknown'], 'unknown'],
    [['unknown', 'warning'], 'warning'],
    [['warning', 'critical', 'passing'], 'critical'],
  ])('a group of %j is %s', (statuses, expected) => {
    const groups = groupsOf(statuses.map((status, i) => node(`ns-${i}`, { status })), 'namespace');
    expect(groups.get('ns')?.status).toBe(expected);
  });

  it('is empty without grouping', () => {
    expect(groupsOf(nodes, 'none').size).toBe(0);
  });
});

describe('buildViewGraph', () => {
  const topology: Topology = {
    nodes: [node('gw'), node('pay-api'), node('pay-worker'), node('pay-ledger'), node('postgres', { kind: 'database' })],
    edges: [
      edge('gw', 'pay-api', { source: 'declared', sources: ['declared', 'observed'], rps: 10, errorRate: 0, p50Ms: 3 }),
      edge('gw', 'pay-worker', { source: 'observed', sources: ['observed'], rps: 30, errorRate: 0.4 }),
      edge('pay-api', 'pay-ledger'),
      edge('pay-ledger', 'postgres', { rps: 5 }),
      edge('pay-worker', 'postgres'),
    ],
  };
  const summary = (graph: ReturnType<typeof buildViewGraph>) => ({
    nodes: graph.nodes.map((n) => (n.type === 'group' ? `[${n.ref}]` : 'group' in n && n.group ? `${n.ref}@${n.group}` : n.ref)),
    edges: graph.edges.map((e) => `${e.from}>${e.to}×${e.count}`),
  });

  it('without grouping, is the topology', () => {
    expect(summary(buildViewGraph(topology, 'none', () => true))).toEqual({
      nodes: ['gw', 'pay-api', 'pay-worker', 'pay-ledger', 'postgres'],
      edges: ['n:gw>n:pay-api×1', 'n:gw>n:pay-worker×1', 'n:pay-api>n:pay-ledger×1', 'n:pay-ledger>n:postgres×1', 'n:pay-worker>n:postgres×1'],
    });
  });

  it('expanded groups tag their members and keep every edge', () => {
    const graph = buildViewGraph(topology, 'namespace', () => false);
    expect(summary(graph).nodes).toEqual(['gw', 'pay-api@pay', 'pay-worker@pay', 'pay-ledger@pay', 'postgres']);
    expect(graph.edges).toHaveLength(5);
    expect(graph.memberOf.get('pay-api')).toBe('pay');
  });

  it('a collapsed group is one node, its edges merged and its inner edges gone', () => {
    const graph = buildViewGraph(topology, 'namespace', (key) => key === 'pay');
    expect(summary(graph)).toEqual({
      nodes: ['gw', '[pay]', 'postgres'],
      edges: ['n:gw>g:pay×2', 'g:pay>n:postgres×2'],
    });
    const inbound = graph.edges.find((e) => e.to === 'g:pay');
    expect(inbound).toMatchObject({ rps: 40, sources: ['declared', 'observed'] });
    expect(inbound?.errorRate).toBeCloseTo(0.3);
    // Latency percentiles of two edges cannot be merged: they are dropped.
    expect(inbound?.p50Ms).toBeUndefined();
    expect(graph.edges.find((e) => e.from === 'g:pay')).toMatchObject({ rps: 5, sources: ['declared'] });
  });

  it('a merged edge is over its errors only when every edge it stands for that had errors is', () => {
    const collapse = (edges: TopologyEdge[]) => buildViewGraph({ ...topology, edges }, 'namespace', (key) => key === 'pay').edges.find((e) => e.to === 'g:pay');
    const clean = edge('gw', 'pay-api', { rps: 10, errorRate: 0 });
    const over = edge('gw', 'pay-worker', { rps: 30, errorRate: 0.4, recovered: true });
    const failing = edge('gw', 'pay-worker', { rps: 30, errorRate: 0.4 });
    expect(collapse([clean, over])?.recovered).toBe(true);
    expect(collapse([over, clean])?.recovered).toBe(true);
    expect(collapse([over, { ...failing, to: 'pay-ledger' }])).not.toHaveProperty('recovered');
    expect(collapse([{ ...failing, to: 'pay-ledger' }, over])).not.toHaveProperty('recovered');
    expect(collapse([clean, failing])).not.toHaveProperty('recovered');
  });

  it('keeps a single edge\u2019s latency', () => {
    const graph = buildViewGraph(topology, 'none', () => false);
    expect(graph.edges.find((e) => e.to === 'n:pay-api')).toMatchObject({ rps: 10, errorRate: 0, p50Ms: 3 });
  });

  describe('a consumer that declares its queue and is seen receiving from it', () => {
    const observed = { source: 'observed' as const, sources: ['observed' as const], rps: 4, errorRate: 0 };
    const queueTopology = (consumerEdge: TopologyEdge): Topology => ({
      nodes: [node('orders'), node('notifications'), node('kafka', { kind: 'queue', instances: 0 })],
      edges: [edge('orders', 'kafka', observed), edge('kafka', 'notifications', observed), consumerEdge],
    });

    it('draws one edge, the way the messages flow, with both sources', () => {
      const graph = buildViewGraph(queueTopology(edge('notifications', 'kafka')), 'none', () => false);
      expect(graph.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['n:kafka>n:notifications', 'n:orders>n:kafka']);
      const flow = graph.edges.find((e) => e.to === 'n:notifications');
      expect(flow).toMatchObject({ rps: 4, count: 2 });
      expect([...(flow?.sources ?? [])].sort()).toEqual(['declared', 'observed']);
    });

    it('keeps both edges when the consumer is seen sending to the queue too', () => {
      const graph = buildViewGraph(queueTopology(edge('notifications', 'kafka', { sources: ['declared', 'observed'], rps: 1 })), 'none', () => false);
      expect(graph.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['n:kafka>n:notifications', 'n:notifications>n:kafka', 'n:orders>n:kafka']);
    });

    it('keeps a declared edge to a node that is not a queue', () => {
      const topology = queueTopology(edge('notifications', 'kafka'));
      const notQueue = { ...topology, nodes: topology.nodes.map((n) => (n.id === 'kafka' ? { ...n, kind: 'database' as const } : n)) };
      expect(buildViewGraph(notQueue, 'none', () => false).edges).toHaveLength(3);
    });
  });
});
