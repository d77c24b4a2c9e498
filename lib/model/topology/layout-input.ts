import type { EdgeStats } from '../latency';
import type { ServiceSummary } from '../service-summary';
import { deriveTopologyFromSummaries, type NodeKind, type TopologyNode } from './topology';
import { buildViewGraph, type GroupMode, type GroupSummary, type ViewGraph } from './group';
import type { LayoutEdge, LayoutNode } from './layout';
import { effectiveGrouping } from './view';

/** Every node's drawn size is fixed, so the layout (in the browser or on the server) needs no measuring. */
export const SIZES = {
  service: { width: 200, height: 56 },
  external: { width: 156, height: 64 },
  cluster: { width: 224, height: 72 },
} as const;

export function sizeOf(kind: NodeKind | 'cluster'): { width: number; height: number } {
  return kind === 'cluster' ? SIZES.cluster : kind === 'service' ? SIZES.service : SIZES.external;
}

/**
 * What the layout works on: every node and edge of the view graph, shown or not (filters and
 * focus hide nodes, they never re-lay out the map).
 */
export function layoutInputOf(graph: ViewGraph, nodeById: ReadonlyMap<string, TopologyNode>): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [];
  for (const graphNode of graph.nodes) {
    if (graphNode.type === 'group') {
      nodes.push({ id: graphNode.id, ...SIZES.cluster });
      continue;
    }
    const topo = nodeById.get(graphNode.ref);
    if (!topo) continue;
    nodes.push({ id: graphNode.id, ...sizeOf(topo.kind), ...(graphNode.group !== undefined ? { group: graphNode.group } : {}) });
  }
  return { nodes, edges: graph.edges.map((edge) => ({ id: edge.id, from: edge.from, to: edge.to, weight: edge.count })) };
}

/**
 * The layout input of the map's default view (no `by`, nothing collapsed or expanded by hand), as a
 * first visit draws it, from the services' summaries (the store keeps them up to date as instances
 * change, so a look never walks the instances).
 */
export function defaultLayoutInput(
  services: readonly ServiceSummary[],
  observed: readonly EdgeStats[],
): { mode: GroupMode; nodes: LayoutNode[]; edges: LayoutEdge[]; groups: ReadonlyMap<string, GroupSummary> } {
  const topology = deriveTopologyFromSummaries(services, observed);
  const { mode, autoCollapse } = effectiveGrouping({ by: '' }, topology.nodes.length);
  const graph = buildViewGraph(topology, mode, () => autoCollapse);
  return { mode, groups: graph.groups, ...layoutInputOf(graph, new Map(topology.nodes.map((node) => [node.id, node]))) };
}

/**
 * What of a registered service the default view's layout input depends on besides its name: its
 * declared targets (edges, and external nodes; `external.<name>` metadata is among them). Nothing
 * else of a summary reaches it: every external is drawn at one size whatever its kind (`sizeOf`),
 * namespace grouping goes by name, and statuses, counts and zones move nothing. The same services
 * with equal signatures (and the same observed calls) give the same nodes, edges and group members.
 */
export function layoutSignatureOf(summary: Pick<ServiceSummary, 'dependsOn'>): string {
  // Sorted in the summary already.
  return JSON.stringify(summary.dependsOn ?? []);
}
