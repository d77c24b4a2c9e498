import { describe, expect, it } from 'vitest';
import type { EdgeStats } from '@/lib/model/latency';
import { deriveTopologyFromSummaries } from '@/lib/model/topology/topology';
import { parseObservedEdges } from './edges';

describe('parseObservedEdges', () => {
  it('keeps the kind of a queue or database end, and nothing else as a kind', () => {
    const edges = parseObservedEdges({
      edges: [
        { from: 'gateway', to: 'kafka:orders', rps: 1, toKind: 'queue' },
        { from: 'kafka:orders', to: 'worker', rps: 1, fromKind: 'queue' },
        { from: 'worker', to: 'x', rps: 1, toKind: '<script>' },
      ],
    });
    expect(edges.map(({ from, to, fromKind, toKind }) => ({ from, to, fromKind, toKind }))).toEqual([
      { from: 'gateway', to: 'kafka:orders', fromKind: undefined, toKind: 'queue' },
      { from: 'kafka:orders', to: 'worker', fromKind: 'queue', toKind: undefined },
      { from: 'worker', to: 'x', fromKind: undefined, toKind: undefined },
    ]);
  });

  it('carries what the server judged nodes by, so the map judges them alike: an edge over its errors, and one whose calls stopped', () => {
    const edge = (to: string, over: { recovered?: boolean; quiet?: boolean }): EdgeStats => ({ from: 'orders', to, rps: 20, errorRate: 0.5, p50Ms: null, p95Ms: null, p99Ms: null, ...over });
    const onServer = deriveTopologyFromSummaries([], [edge('postgres', {}), edge('redis', { recovered: true }), edge('kafka', { recovered: true, quiet: true })]);
    const inBrowser = deriveTopologyFromSummaries([], parseObservedEdges(JSON.parse(JSON.stringify({ edges: onServer.edges }))));
    const statuses = (topology: typeof onServer) => topology.nodes.map((node) => [node.id, node.status]);
    expect(statuses(inBrowser)).toEqual(statuses(onServer));
    expect(statuses(onServer)).toEqual(expect.arrayContaining([['postgres', 'critical'], ['redis', 'passing'], ['kafka', 'unknown']]));
  });

  it('carries quiet only as the boolean it is, and only on a recovered edge', () => {
    const parsed = parseObservedEdges({
      edges: [
        { from: 'a', to: 'b', rps: 1, recovered: true, quiet: 'true' },
        { from: 'a', to: 'c', rps: 1, quiet: true },
        { from: 'a', to: 'd', rps: 1, recovered: 1, quiet: true },
        { from: 'a', to: 'e', rps: 1, recovered: true, quiet: { valueOf: true } },
      ],
    });
    expect(parsed.map(({ to, recovered, quiet }) => [to, recovered, quiet])).toEqual([
      ['b', true, undefined],
      ['c', undefined, undefined],
      ['d', undefined, undefined],
      ['e', true, undefined],
    ]);
  });
});
