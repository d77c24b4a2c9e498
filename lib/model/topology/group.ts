import { STATUSES, type Status } from '../instance';
import { compareStatusWorstFirst } from '../health';
import { isFailing, namespaceOf, type Topology, type TopologyEdge, type TopologyNode } from './topology';

/**
 * Grouping and aggregation for the map. A service belongs to its namespace (`namespaceOf`) or its
 * primary zone; dependencies outside the registry are shared infrastructure and never grouped, and
 * a "group" of one service is no group. A collapsed group is drawn as one node; edges to its members
 * are merged into edges to the group.
 */

export const GROUP_MODES = ['none', 'zone', 'namespace'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];

/** Graph ids: names are arbitrary strings, so nodes and groups live in separate id spaces. */
export const nodeGraphId = (name: string): string => `n:${name}`;
export const groupGraphId = (key: string): string => `g:${key}`;

export function groupKeyOf(node: Pick<TopologyNode, 'id' | 'kind' | 'zone'>, mode: GroupMode): string | undefined {
  if (mode === 'none' || node.kind !== 'service') return undefined;
  return mode === 'zone' ? node.zone : namespaceOf(node.id);
}

export interface GroupSummary {
  key: string;
  /** Member node ids, in name order. */
  members: string[];
  /** The worst member status (a group with one critical service is drawn critical, with its counts). */
  status: Status;
  byStatus: Record<Status, number>;
  failing: number;
  instances: number;
  drained: number;
}

export const MIN_GROUP_SIZE = 2;

export function groupsOf(nodes: readonly TopologyNode[], mode: GroupMode): Map<string, GroupSummary> {
  const groups = new Map<string, GroupSummary>();
  if (mode === 'none') return groups;
  for (const node of nodes) {
    const key = groupKeyOf(node, mode);
    if (key === undefined) continue;
    let group = groups.get(key);
    if (!group) {
      group = { key, members: [], status: 'passing', byStatus: { passing: 0, warning: 0, critical: 0, unknown: 0 }, failing: 0, instances: 0, drained: 0 };
      groups.set(key, group);
    }
    group.members.push(node.id);
    group.byStatus[node.status] += 1;
    if (isFailing(node)) group.failing += 1;
    group.instances += node.instances;
    group.drained += node.drained;
  }
  for (const [key, group] of groups) {
    if (group.members.length < MIN_GROUP_SIZE) {
      groups.delete(key);
      continue;
    }
    group.members.sort();
    group.status = [...STATUSES].sort(compareStatusWorstFirst).find((status) => group.byStatus[status] > 0) ?? 'unknown';
  }
  return groups;
}

export type GraphNode = { id: string; type: 'node'; ref: string; group?: string } | { id: string; type: 'group'; ref: string };

export interface GraphEdge extends Pick<TopologyEdge, 'from' | 'to' | 'sources' | 'rps' | 'errorRate' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'baselineP95Ms' | 'recentCalls' | 'recentErrors'> {
  id: string;
  /** How many topology edges this one stands for (more than one once groups are collapsed). */
  count: number;
  /** Every edge it stands for that had errors is over them (TopologyEdge.recovered). */
  recovered?: true;
}

export interface ViewGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: ReadonlyMap<string, GroupSummary>;
  /** Node name → its group key (members of expanded and collapsed groups alike). */
  memberOf: ReadonlyMap<string, string>;
}

/**
 * Declared-only edges consumer → queue whose queue → consumer is observed (its consumer spans),
 * as `from\u0000to` keys. A consumer declares the queue it reads (`external.kafka=queue`) and is seen
 * receiving from it: one relationship seen from both ends, drawn (and laid out) once, the way the
 * messages flow, instead of a two-edge loop that puts the queue on both sides of its consumer.
 */
function consumedQueues(topology: Topology): Set<string> {
  const queues = new Set(topology.nodes.flatMap((node) => (node.kind === 'queue' ? [node.id] : [])));
  const observed = new Set(topology.edges.flatMap((edge) => (queues.has(edge.from) && edge.sources.includes('observed') ? [`${edge.from}\u0000${edge.to}`] : [])));
  const keys = new Set<string>();
  for (const edge of topology.edges) {
    const declaredOnly = edge.sources.length === 1 && edge.sources[0] === 'declared';
    if (declaredOnly && queues.has(edge.to) && observed.has(`${edge.to}\u0000${edge.from}`)) keys.add(`${edge.from}\u0000${edge.to}`);
  }
  return keys;
}

/**
 * The graph to lay out and draw for a grouping: nodes of expanded groups stay (tagged with their
 * group), collapsed groups become one node each, and edges are re-pointed and merged (rates summed,
 * error rates weighted by rate, latencies kept only for a single underlying edge). Edges inside a
 * collapsed group disappear, as do self-calls. A consumer's declared edge to a queue it is seen
 * receiving from is drawn as the observed one (`consumedQueues`).
 */
export function buildViewGraph(topology: Topology, mode: GroupMode, isCollapsed: (key: string) => boolean): ViewGraph {
  const groups = groupsOf(topology.nodes, mode);
  const memberOf = new Map<string, string>();
  for (const group of groups.values()) for (const member of group.members) memberOf.set(member, group.key);

  const graphIdOf = (name: string): string => {
    const key = memberOf.get(name);
    return key !== undefined && isCollapsed(key) ? groupGraphId(key) : nodeGraphId(name);
  };

  const nodes: GraphNode[] = [];
  const addedGroups = new Set<string>();
  for (const node of topology.nodes) {
    const key = memberOf.get(node.id);
    if (key === undefined) nodes.push({ id: nodeGraphId(node.id), type: 'node', ref: node.id });
    else if (!isCollapsed(key)) nodes.push({ id: nodeGraphId(node.id), type: 'node', ref: node.id, group: key });
    else if (!addedGroups.has(key)) {
      addedGroups.add(key);
      nodes.push({ id: groupGraphId(key), type: 'group', ref: key });
    }
  }

  const edges = new Map<string, GraphEdge & { errorWeight: number; errorSum: number; unrecovered: number }>();
  const failedBefore = (edge: Topology['edges'][number]): boolean => (edge.errorRate ?? 0) > 0;
  const consumed = consumedQueues(topology);
  for (const edge of topology.edges) {
    const reversed = consumed.has(`${edge.from}\u0000${edge.to}`);
    const from = graphIdOf(reversed ? edge.to : edge.from);
    const to = graphIdOf(reversed ? edge.from : edge.to);
    if (from === to) continue;
    const id = `${from}\u2192${to}`;
    const merged = edges.get(id);
    if (!merged) {
      edges.set(id, {
        id,
        from,
        to,
        sources: [...edge.sources],
        count: 1,
        ...(edge.rps !== undefined ? { rps: edge.rps } : {}),
        ...(edge.errorRate !== undefined ? { errorRate: edge.errorRate } : {}),
        ...(edge.p50Ms !== undefined ? { p50Ms: edge.p50Ms } : {}),
        ...(edge.p95Ms !== undefined ? { p95Ms: edge.p95Ms } : {}),
        ...(edge.p99Ms !== undefined ? { p99Ms: edge.p99Ms } : {}),
        ...(edge.baselineP95Ms !== undefined ? { baselineP95Ms: edge.baselineP95Ms } : {}),
        ...(edge.recovered ? { recovered: true as const } : {}),
        ...(edge.recentCalls !== undefined ? { recentCalls: edge.recentCalls, recentErrors: edge.recentErrors ?? 0 } : {}),
        errorWeight: edge.errorRate !== undefined ? (edge.rps ?? 0) : 0,
        errorSum: edge.errorRate !== undefined ? edge.errorRate * (edge.rps ?? 0) : 0,
        unrecovered: failedBefore(edge) && !edge.recovered ? 1 : 0,
      });
      continue;
    }
    merged.count += 1;
    for (const source of edge.sources) if (!merged.sources.includes(source)) merged.sources.push(source);
    merged.sources.sort();
    if (edge.rps !== undefined) merged.rps = (merged.rps ?? 0) + edge.rps;
    if (edge.errorRate !== undefined) {
      merged.errorWeight += edge.rps ?? 0;
      merged.errorSum += edge.errorRate * (edge.rps ?? 0);
      merged.errorRate = merged.errorWeight > 0 ? merged.errorSum / merged.errorWeight : Math.max(merged.errorRate ?? 0, edge.errorRate);
    }
    if (edge.recentCalls !== undefined || merged.recentCalls !== undefined) {
      // An edge without errors in its minute carries no 30 s figures: its calls count at its minute's rate, all clean.
      const calls = (of: { rps?: number; recentCalls?: number }): number => of.recentCalls ?? Math.round((of.rps ?? 0) * 30);
      const before = merged.recentCalls !== undefined ? merged.recentCalls : Math.round(((merged.rps ?? 0) - (edge.rps ?? 0)) * 30);
      merged.recentCalls = before + calls(edge);
      merged.recentErrors = (merged.recentErrors ?? 0) + (edge.recentErrors ?? 0);
    }
    if (failedBefore(edge) && !edge.recovered) merged.unrecovered += 1;
    if (edge.recovered && merged.unrecovered === 0) merged.recovered = true;
    if (merged.unrecovered > 0) delete merged.recovered;
    delete merged.p50Ms;
    delete merged.p95Ms;
    delete merged.p99Ms;
    delete merged.baselineP95Ms;
  }
  return {
    nodes,
    edges: [...edges.values()].map(({ errorWeight: _w, errorSum: _s, unrecovered: _u, ...edge }) => edge),
    groups,
    memberOf,
  };
}
