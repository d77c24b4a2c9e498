import { MarkerType, Position, type Edge, type Node, type NodeHandle } from '@xyflow/react';
import type { Status } from '@/lib/model/instance';
import { EDGE_WINDOW_SECONDS } from '@/lib/model/latency';
import { edgeSlowCause, FAILING_ERROR_RATE, inboundErrors, MIN_RPS_FOR_ERRORS, type NodeKind, type TopologyNode } from '@/lib/model/topology/topology';
import { nodeGraphId, type GraphEdge, type GroupSummary, type ViewGraph } from '@/lib/model/topology/group';
import type { Direction, ProbableOrigin } from '@/lib/model/topology/graph';
import { GROUP_PADDING, type Point } from '@/lib/model/topology/layout';
import { SIZES, sizeOf } from '@/lib/model/topology/layout-input';
import { STAND_IN_WORDS, standInTag, standInTitle, type StandInKind } from '@/lib/model/status/lost';
import { boundsOf, type PositionMap, type Rect } from '@/lib/model/topology/positions';
import { readingOrder } from '@/lib/client/topology/nav';
import { labelSize, labelSpot } from './edge-labels';
import { edgeCurve } from './edge-paint';
import { BoxIndex, flattenPath, MAX_ROUTED_EDGES, MAX_ROUTED_NODES, routeEdge, unflattenPath, type EdgePath } from './edge-route';

/**
 * From the view graph, positions and view flags to React Flow nodes and edges. Pure, and it
 * reuses the previous object for anything that did not change, so React Flow re-renders only
 * what did (a status change touches one node, never a position).
 */

export interface ServiceData extends Record<string, unknown> {
  name: string;
  kind: NodeKind;
  status: Status;
  instances: number;
  drained: number;
  /** Lost instances; 0 when none. */
  lost: number;
  /** Of those, the ones still serving though out of discovery (`lost.stillServing`); 0 when none. */
  lostServing: number;
  /** Departures still checked for serving on (`lost.checking`), not lost; 0 when none. */
  checking: number;
  /** Why the service has its status (hover text). */
  cause?: string;
  /** Failing in the origin analysis' sense (status or errors answered). */
  failing: boolean;
  /** A likely origin of the current failures. */
  origin: boolean;
  /** Was one and passes again, its callers still clearing its errors: when it recovered (ISO; `ProbableOrigin.recoveredAt`). */
  originRecoveredAt?: string;
  /** "12% errors" while it is failing and the calls it answers fail at a failing rate (`nodeErrorsChip`). */
  errors?: string;
  /** Until when an instance of it flaps (ISO; `TopologyNode.flappingUntil`): the node says so until then. */
  flappingUntil?: string;
  focus?: Direction;
}

/** Flat, so an unchanged group compares equal across updates. */
export interface ClusterData extends Record<string, unknown> {
  key: string;
  mode: string;
  members: number;
  status: Status;
  passing: number;
  warning: number;
  critical: number;
  unknown: number;
  failing: number;
  instances: number;
  drained: number;
  /** Members flapping when the flow was built (`FlowInput.nowMs`). */
  flapping: number;
  /** A member is a likely origin of the current failures. */
  origin: boolean;
  /** With no current origin in it: a member that was one and recovered, and when (ISO), for the muted "was origin" mark. */
  recoveredOrigin?: string;
  originRecoveredAt?: string;
}

function clusterData(summary: GroupSummary, mode: string, origin: boolean, recoveredOrigin: readonly [string, string] | undefined, flapping: number): ClusterData {
  return {
    key: summary.key,
    mode,
    members: summary.members.length,
    status: summary.status,
    ...summary.byStatus,
    failing: summary.failing,
    instances: summary.instances,
    drained: summary.drained,
    flapping,
    origin,
    ...(!origin && recoveredOrigin ? { recoveredOrigin: recoveredOrigin[0], originRecoveredAt: recoveredOrigin[1] } : {}),
  };
}

export interface FrameData extends Record<string, unknown> {
  key: string;
  mode: string;
  members: number;
  status: Status;
  failing: number;
}

export type ServiceFlowNode = Node<ServiceData, 'service' | 'external'>;
export type ClusterFlowNode = Node<ClusterData, 'cluster'>;
export type FrameFlowNode = Node<FrameData, 'frame'>;
export type MapNode = ServiceFlowNode | ClusterFlowNode | FrameFlowNode;

/** Only what is drawn: statistics live in the topology (the panel reads them there), so a new rate does not redraw every edge. */
export interface EdgeData extends Record<string, unknown> {
  sources: string;
  count: number;
  /** Its colour, for its label (drawn apart from the edge's own element: MapEdge). */
  tone: EdgeTone;
  /** Where its label's centre goes (flow coordinates): clear of the nodes where the curve allows (`labelSpot`). Two numbers, not a point: `reuse` compares data by value one level deep. */
  labelX?: number;
  labelY?: number;
  /**
   * Where it is drawn when React Flow's bezier would cross a node that is neither of its ends: a
   * route around them (`routeEdge`, flattened: `flattenPath`). Absent: the bezier. The same array
   * while the route is the same, so `reuse` keeps the edge.
   */
  route?: readonly number[];
}
export type MapEdge = Edge<EdgeData>;

export type EdgeTone = 'idle' | 'ok' | 'warning' | 'critical';

/** Edges carrying errors from 1 % are amber, from 5 % (a failing rate) red and dashed… */
export const EDGE_WARNING_RATE = 0.01;
export const EDGE_CRITICAL_RATE = 0.05;
/**
 * …once their minute holds at least this many failed calls: one stray failure among a handful of
 * calls (1 of 6 is 17 %) drew a healthy pair of services as a red, failing edge.
 */
export const EDGE_MIN_FAILED_CALLS = 3;

type EdgeFigures = Pick<GraphEdge, 'rps' | 'errorRate' | 'p95Ms' | 'baselineP95Ms' | 'recovered' | 'recentCalls' | 'recentErrors'>;

/**
 * The error rate an edge is coloured by: none while its minute holds too few failed calls to mean
 * anything, nor once its last 10 s are clean — as a recovered service turns green, the edges into it
 * stop being red instead of carrying the minute's failures for up to a minute more.
 */
function judgedErrorRate(edge: EdgeFigures): number {
  return edgeErrors(edge)?.rate ?? 0;
}

/** The window of an edge's errors, as its label says it. */
export type EdgeErrorWindow = '30s' | '1m';

/**
 * The errors an edge is drawn and labelled with, and their window: the last 30 s (an instance's
 * status window) when they are worse than the minute's, else the minute. Early in an outage the
 * minute still holds the calls that succeeded before it: orders → payments read "20% errors" while
 * payments was down and its own page said 100 %. Each window needs its 3 failed calls (none:
 * `null`), and none counts once the edge has recovered (last 10 s clean).
 */
export function edgeErrors(edge: EdgeFigures): { rate: number; window: EdgeErrorWindow } | null {
  if (edge.recovered) return null;
  const rate = edge.errorRate ?? 0;
  const minute = Math.round(rate * (edge.rps ?? 0) * EDGE_WINDOW_SECONDS) >= EDGE_MIN_FAILED_CALLS ? rate : 0;
  const recentCalls = edge.recentCalls ?? 0;
  const recentErrors = edge.recentErrors ?? 0;
  const recent = recentCalls > 0 && recentErrors >= EDGE_MIN_FAILED_CALLS ? recentErrors / recentCalls : 0;
  if (recent > minute) return { rate: recent, window: '30s' };
  return minute > 0 ? { rate: minute, window: '1m' } : null;
}

/** …and an edge whose p95 is over 3× its own usual (1 h median) and 50 ms more is amber too (`edgeSlowCause`). */
export function edgeTone(edge: EdgeFigures): EdgeTone {
  // No calls in its minute: declared only, or held after its calls stopped (a callee that hangs reports none).
  if (edge.rps === undefined || edge.rps === 0) return 'idle';
  const errors = judgedErrorRate(edge);
  if (errors >= EDGE_CRITICAL_RATE) return 'critical';
  if (errors >= EDGE_WARNING_RATE || edgeSlowCause(edge) !== null) return 'warning';
  return 'ok';
}

/**
 * What an amber or red edge says on the map: its errors, else how much slower than usual it is.
 * `calleeRecovered`: the service it calls recovered lately (`recentRecoveries`) — its node is green
 * while this edge's window still holds calls from before that, so the label says it is `clearing`
 * rather than reading as a second, later recovery.
 */
export function edgeLabel(edge: EdgeFigures, tone: EdgeTone, calleeRecovered = false): string | undefined {
  if (tone !== 'warning' && tone !== 'critical') return undefined;
  const errors = edgeErrors(edge);
  if (errors && errors.rate >= EDGE_WARNING_RATE) return `${formatRate(errors.rate)} errors · ${errors.window}${calleeRecovered ? ' · clearing' : ''}`;
  if (edge.p95Ms !== undefined && edge.baselineP95Ms !== undefined) return `p95 ${Math.round(edge.p95Ms / edge.baselineP95Ms)}× usual`;
  return undefined;
}

/** Stroke width by calls per second, logarithmic in half-pixel steps: 0.1/s → 1 px, 10/s → 3 px, 1,000/s and more → 7 px. */
export function edgeWidth(rps: number | undefined): number {
  if (rps === undefined || rps <= 0) return 1;
  return Math.round((1 + Math.min(6, Math.log10(1 + rps) * 2)) * 2) / 2;
}

/**
 * "35% errors" on a node, of the calls it answered over the last 30 s when worse than the minute,
 * else over the minute (`inboundErrors`, the rule its edges' labels follow) — only while it is failing
 * (`isFailing`): a service recovered is green as soon as its last seconds are clean, and the trailing
 * minute's rate beside a green node read as a contradiction (the edges into it still carry the rate).
 */
export function nodeErrorsChip(node: Pick<TopologyNode, 'inboundRps' | 'inboundErrorRate' | 'recentInboundCalls' | 'recentInboundErrors'>, failing: boolean): string | undefined {
  if (!failing || (node.inboundRps ?? 0) < MIN_RPS_FOR_ERRORS) return undefined;
  const errors = inboundErrors(node);
  if (!errors || errors.rate < FAILING_ERROR_RATE) return undefined;
  return `${formatRate(errors.rate)} errors`;
}

/**
 * The calls into a node, as its panel says them: rate and errors over the minute and, when its edges
 * carried them, the failed share of the last 30 s — both windows, as an edge's panel line gives, so
 * the chip (`nodeErrorsChip`, the worse) is always one of them: in the demo's error-burst the chip read
 * "23% errors" over a panel that gave only the minute's 14 %.
 */
export function nodeCalledText(node: Pick<TopologyNode, 'inboundRps' | 'inboundErrorRate' | 'recentInboundCalls' | 'recentInboundErrors'>): string {
  const errors = node.inboundErrorRate !== undefined ? ` · ${formatRate(node.inboundErrorRate)} errors` : '';
  const recentCalls = node.recentInboundCalls ?? 0;
  const recent = recentCalls > 0 ? `, ${formatRate((node.recentInboundErrors ?? 0) / recentCalls)} (30 s)` : '';
  return `${formatRps(node.inboundRps ?? 0)}${errors} (1 min)${recent}`;
}

export function formatRate(share: number): string {
  const pct = share * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function formatRps(rps: number): string {
  if (rps >= 100) return `${Math.round(rps)}/s`;
  if (rps >= 10) return `${rps.toFixed(1)}/s`;
  return `${rps.toFixed(2)}/s`;
}

const handlesFor = (width: number, height: number): NodeHandle[] => [
  { type: 'target', position: Position.Left, x: 0, y: height / 2 - 1, width: 2, height: 2 },
  { type: 'source', position: Position.Right, x: width - 2, y: height / 2 - 1, width: 2, height: 2 },
];

export interface FlowInput {
  graph: ViewGraph;
  nodeById: ReadonlyMap<string, TopologyNode>;
  positions: PositionMap;
  /** Topology ids shown by filters and focus. */
  visible: ReadonlySet<string>;
  focus?: ReadonlyMap<string, { direction: Direction }>;
  failing: ReadonlySet<string>;
  /** Likely origins of the current failures. */
  origins: ReadonlySet<string>;
  /** Likely origins that pass again while their callers clear their errors, with when they recovered (ISO): marked as having been one. */
  recoveredOrigins?: ReadonlyMap<string, string>;
  /** Topology ids matching the search; null when there is no search. */
  matches: ReadonlySet<string> | null;
  /** Graph id of the selected node or group. */
  selected: string;
  /** Services recovered lately (`recentRecoveries`): the edges into them say they are clearing. */
  recovered?: ReadonlySet<string>;
  groupMode: string;
  /** Positions overriding the stored ones while a node is dragged. */
  dragging?: ReadonlyMap<string, Point>;
  /**
   * Now (server clock, ms): a node flapping until after it is labelled so, and a group counts it.
   * The caller builds again at the next `flappingUntil` (`flappingDeadlines`), not every second.
   */
  nowMs: number;
  /** How a time (ISO) is written in labels: the reader's clock, as the titles and the panel write it. */
  clock: (iso: string) => string;
}

/** The analysis' origins as the map marks them: current ones, and recovered ones with when they recovered. */
export function originMarks(origins: readonly Pick<ProbableOrigin, 'id' | 'recoveredAt'>[]): Pick<FlowInput, 'origins' | 'recoveredOrigins'> {
  const current = new Set<string>();
  const recovered = new Map<string, string>();
  for (const { id, recoveredAt } of origins) {
    if (recoveredAt === undefined) current.add(id);
    else recovered.set(id, recoveredAt);
  }
  return { origins: current, recoveredOrigins: recovered };
}

/** Whether a node's flap (`TopologyNode.flappingUntil`) lasts at `nowMs`. */
const flappingAt = (node: Pick<TopologyNode, 'flappingUntil'> | undefined, nowMs: number): boolean => {
  const untilMs = node?.flappingUntil === undefined ? NaN : Date.parse(node.flappingUntil);
  return untilMs > nowMs;
};

/** The nodes' flap deadlines (ms), for the caller to build the flow again as each passes. */
export function flappingDeadlines(nodes: readonly Pick<TopologyNode, 'flappingUntil'>[]): number[] {
  return nodes.flatMap((node) => {
    const untilMs = node.flappingUntil === undefined ? NaN : Date.parse(node.flappingUntil);
    return Number.isFinite(untilMs) ? [untilMs] : [];
  });
}

/**
 * Routes kept between map updates: they depend on the drawn boxes alone, which a status or rate
 * change (most updates) leaves as they were. Owned by the caller of `buildFlow`, one per map.
 */
export interface RouteMemo {
  /** The boxes the routes were made for. */
  key: string;
  /** By `from→to`: the flattened route, or null for the bezier. */
  routes: Map<string, readonly number[] | null>;
}

export const newRouteMemo = (): RouteMemo => ({ key: '', routes: new Map() });

const sameNumbers = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((n, i) => n === b[i]));

export interface Flow {
  nodes: MapNode[];
  edges: MapEdge[];
  /** Drawn rectangles by graph id (for keyboard navigation and fitting). */
  rects: Map<string, { x: number; y: number; width: number; height: number }>;
}

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** The previous object when nothing that React Flow draws changed. */
function reuse<T extends MapNode | MapEdge>(cache: Map<string, MapNode | MapEdge> | undefined, next: T): T {
  const previous = cache?.get(next.id) as T | undefined;
  if (!previous) return next;
  const a = previous as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (key === 'data' || key === 'position' || key === 'style' || key === 'markerEnd') {
      if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null && sameData(x as Record<string, unknown>, y as Record<string, unknown>)) continue;
    }
    if (key === 'handles') continue; // derived from the size, which `width`/`height` compare
    return next;
  }
  return previous;
}

const classNames = (...names: (string | false | undefined)[]): string => names.filter(Boolean).join(' ');

export function buildFlow(input: FlowInput, cache?: Map<string, MapNode | MapEdge>, memo: RouteMemo = newRouteMemo()): Flow {
  const { graph, nodeById, positions, visible, matches, origins, failing, selected, dragging, nowMs, clock } = input;
  const positionOf = (id: string): Point | undefined => dragging?.get(id) ?? positions.get(id);
  const drawn: MapNode[] = [];
  const rects = new Map<string, { x: number; y: number; width: number; height: number }>();
  const shown = new Set<string>();
  const frameMembers = new Map<string, { x: number; y: number; width: number; height: number }[]>();

  for (const graphNode of graph.nodes) {
    if (graphNode.type === 'group') {
      const summary = graph.groups.get(graphNode.ref);
      if (!summary) continue;
      const size = SIZES.cluster;
      const position = positionOf(graphNode.id);
      const isShown = summary.members.some((member) => visible.has(member));
      if (!position || !isShown) continue;
      const match = matches !== null && summary.members.some((member) => matches.has(member));
      const flapping = summary.members.filter((member) => flappingAt(nodeById.get(member), nowMs)).length;
      const currentOrigin = summary.members.find((member) => origins.has(member));
      const recoveredOrigin = summary.members.flatMap((member) => {
        const at = input.recoveredOrigins?.get(member);
        return at !== undefined ? [[member, at] as const] : [];
      })[0];
      const originWords =
        currentOrigin !== undefined
          ? `, holds the likely origin ${currentOrigin}`
          : recoveredOrigin
            ? `, holds ${recoveredOrigin[0]}, which was the likely origin, recovered at ${clock(recoveredOrigin[1])}`
            : '';
      const node: ClusterFlowNode = {
        id: graphNode.id,
        type: 'cluster',
        position,
        width: size.width,
        height: size.height,
        handles: handlesFor(size.width, size.height),
        className: classNames('tflow-node', match && 'is-match', graphNode.id === selected && 'is-selected'),
        ariaLabel: `Group ${summary.key}: ${summary.members.length} services, ${summary.status}${summary.failing > 0 ? `, ${summary.failing} failing` : ''}${originWords}${flapping > 0 ? `, ${flapping} flapping` : ''}`,
        data: clusterData(summary, input.groupMode, currentOrigin !== undefined, recoveredOrigin, flapping),
      };
      drawn.push(node);
      shown.add(graphNode.id);
      rects.set(graphNode.id, { ...position, ...size });
      continue;
    }
    const topo = nodeById.get(graphNode.ref);
    if (!topo) continue;
    const size = sizeOf(topo.kind);
    const position = positionOf(graphNode.id);
    if (!position || !visible.has(topo.id)) continue;
    const isOrigin = origins.has(topo.id);
    const originRecoveredAt = isOrigin ? undefined : input.recoveredOrigins?.get(topo.id);
    const originWords = isOrigin ? ', likely origin' : originRecoveredAt !== undefined ? `, was the likely origin, recovered at ${clock(originRecoveredAt)}` : '';
    const errors = nodeErrorsChip(topo, failing.has(topo.id));
    const focusRole = input.focus?.get(topo.id)?.direction;
    const data: ServiceData = {
      name: topo.id,
      kind: topo.kind,
      status: topo.status,
      instances: topo.instances,
      drained: topo.drained,
      lost: topo.lost ?? 0,
      lostServing: topo.lostServing ?? 0,
      checking: topo.checking ?? 0,
      ...(topo.cause !== undefined ? { cause: topo.cause } : {}),
      failing: failing.has(topo.id),
      origin: isOrigin,
      ...(originRecoveredAt !== undefined ? { originRecoveredAt } : {}),
      ...(errors !== undefined ? { errors } : {}),
      ...(topo.flappingUntil !== undefined ? { flappingUntil: topo.flappingUntil } : {}),
      ...(focusRole !== undefined ? { focus: focusRole } : {}),
    };
    // What the node's chips say, in their order (nodes.tsx), so a screen reader hears what is drawn:
    // its stand-ins, "flapping" while it lasts (a green node between failures), drained.
    const lost = data.lost + data.checking > 0 ? lostChips(data.lost, data.lostServing, data.lost + data.checking === data.instances, data.checking).map((chip) => `, ${chip.text}`).join('') : '';
    const flappingText = flappingAt(topo, nowMs) ? ', flapping' : '';
    // The cause as a clause of its own: in parentheses, a cause with its own "(threshold …)" nested them.
    const chipsText = `${lost}${flappingText}${topo.drained > 0 ? `, ${topo.drained} drained` : ''}${topo.cause ? `, ${topo.cause}` : ''}`;
    const node: ServiceFlowNode = {
      id: graphNode.id,
      type: topo.kind === 'service' ? 'service' : 'external',
      position,
      width: size.width,
      height: size.height,
      handles: handlesFor(size.width, size.height),
      className: classNames('tflow-node', matches?.has(topo.id) && 'is-match', graphNode.id === selected && 'is-selected', isOrigin && 'is-origin'),
      ariaLabel:
        topo.kind === 'service'
          ? `${topo.id}: ${topo.status}, ${topo.instances} ${topo.instances === 1 ? 'instance' : 'instances'}${chipsText}${originWords}`
          : `${topo.id} (${topo.kind === 'unknown' ? 'not registered' : topo.kind}): ${topo.status}${originWords}`,
      data,
    };
    drawn.push(node);
    shown.add(graphNode.id);
    rects.set(graphNode.id, { ...position, ...size });
    if (graphNode.group !== undefined) {
      const list = frameMembers.get(graphNode.group) ?? [];
      list.push({ ...position, ...size });
      frameMembers.set(graphNode.group, list);
    }
  }

  const frames: FrameFlowNode[] = [];
  for (const [key, members] of frameMembers) {
    const summary = graph.groups.get(key);
    const box = boundsOf(members);
    if (!summary || !box) continue;
    const width = box.width + GROUP_PADDING.left + GROUP_PADDING.right;
    const height = box.height + GROUP_PADDING.top + GROUP_PADDING.bottom;
    frames.push({
      id: `frame:${key}`,
      type: 'frame',
      position: { x: box.x - GROUP_PADDING.left, y: box.y - GROUP_PADDING.top },
      width,
      height,
      zIndex: -1,
      draggable: false,
      selectable: false,
      focusable: false,
      className: 'tflow-frame',
      data: { key, mode: input.groupMode, members: summary.members.length, status: summary.status, failing: summary.failing },
    });
  }

  drawn.sort((a, b) => readingOrder(a.position, b.position));
  const nodes: MapNode[] = [...frames, ...drawn].map((node) => reuse(cache, node));

  const edges: MapEdge[] = [];
  // Edges join graph ids; a collapsed group stands for several services, so only a node's edges say it.
  const recoveredIds = new Set([...(input.recovered ?? [])].map(nodeGraphId));
  /** What a label must not cover: the nodes, and the labels placed before it. */
  const taken: Rect[] = [...rects.values()];
  // Edges are routed around the nodes in their way (edge-route.ts) on maps up to the size whose
  // edges are SVG. Routes are made again only when a box moved, came or went. While a node is
  // dragged, only the edges of what is dragged follow it (each frame); the others are routed again
  // once it is dropped.
  let shownEdges = 0;
  for (const edge of graph.edges) if (shown.has(edge.from) && shown.has(edge.to)) shownEdges += 1;
  const routing = rects.size <= MAX_ROUTED_NODES && shownEdges <= MAX_ROUTED_EDGES;
  const dragged = dragging && dragging.size > 0 ? dragging : undefined;
  if (routing && !dragged) {
    let geometry = '';
    for (const [id, r] of rects) geometry += `${id}:${r.x},${r.y},${r.width},${r.height};`;
    if (geometry !== memo.key) {
      memo.key = geometry;
      memo.routes = new Map();
    }
  }
  let boxes: BoxIndex | undefined;
  const routeOf = (from: string, to: string, fromRect: Rect, toRect: Rect): readonly number[] | undefined => {
    if (!routing) return undefined;
    const key = `${from}\u2192${to}`;
    const moving = dragged !== undefined && (dragged.has(from) || dragged.has(to));
    const known = moving ? undefined : memo.routes.get(key);
    if (known !== undefined) return known ?? undefined;
    boxes ??= new BoxIndex(rects.values());
    const path = routeEdge(fromRect, toRect, boxes);
    const route = path.length > 1 ? flattenPath(path) : null;
    if (!dragged) memo.routes.set(key, route);
    return route ?? undefined;
  };
  for (const edge of graph.edges) {
    if (!shown.has(edge.from) || !shown.has(edge.to)) continue;
    const tone = edgeTone(edge);
    const active = selected !== '' && (edge.from === selected || edge.to === selected);
    const label = edgeLabel(edge, tone, recoveredIds.has(edge.to));
    const from = rects.get(edge.from);
    const to = rects.get(edge.to);
    const previous = (cache?.get(edge.id) as MapEdge | undefined)?.data?.route;
    let route = from && to ? routeOf(edge.from, edge.to, from, to) : undefined;
    if (sameNumbers(route, previous)) route = previous;
    let labelAt: Point | undefined;
    if (label && from && to) {
      const size = labelSize(label);
      const path: EdgePath = route ? unflattenPath(route) : [edgeCurve(from, to)];
      labelAt = labelSpot(path, size, taken);
      taken.push({ x: labelAt.x - size.width / 2, y: labelAt.y - size.height / 2, ...size });
    }
    const colour = active ? 'var(--accent)' : tone === 'idle' ? 'var(--edge-idle)' : tone === 'ok' ? 'var(--edge-ok)' : `var(--${tone})`;
    edges.push(
      reuse(cache, {
        id: edge.id,
        source: edge.from,
        target: edge.to,
        className: classNames('tflow-edge', `tflow-edge--${tone}`, active && 'is-active', edge.sources.length === 1 && edge.sources[0] === 'observed' && 'is-undeclared'),
        style: { strokeWidth: edgeWidth(edge.rps) },
        markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 14, height: 14, markerUnits: 'userSpaceOnUse' },
        focusable: false,
        selectable: false,
        // Edges are not interactive: without the invisible 20 px hit path each, hit-testing a
        // mouse move over 2,000 edges no longer costs a frame.
        interactionWidth: 0,
        ...(label ? { label, labelBgPadding: [4, 2] as [number, number], labelBgBorderRadius: 3 } : {}),
        data: { sources: edge.sources.join('+'), count: edge.count, tone, ...(labelAt ? { labelX: labelAt.x, labelY: labelAt.y } : {}), ...(route ? { route } : {}) },
      }),
    );
  }
  return { nodes, edges, rects };
}

export interface LostChip {
  kind: StandInKind;
  /** Its count ("2", "all 3"), which a crowded node never cuts; none on a chip that says the whole service's state alone. */
  figure?: string;
  /** What the instances are, in `STAND_IN_WORDS`: a crowded node may cut these (ellipsis), as the title says them whole. */
  words: string;
  /** Figure and words: "2 checking". */
  text: string;
  title: string;
}

/**
 * A node's chips for its lost instances, in the words of every other screen (`STAND_IN_WORDS`).
 * Gone processes (`lost`, red) and processes still serving whose registration went (`out of
 * discovery`, amber: `lost.stillServing`) need opposite fixes, a restart and an etcd connection, so
 * they never share a word; departures still being checked (`checking`, neutral: `lost.checking`)
 * are neither yet. `all`: every instance is one of them — a chip alone says the service's state as its
 * header does, short enough for the node's 158 px at 1.3× ("left discovery, checking" was cut to
 * "left discovery, chec"): beside its count a chip says the words' last clause (`standInTag`), as the
 * title gives the whole; the node shows the instance count beside its name.
 */
export function lostChips(lost: number, serving: number, all: boolean, checking = 0): LostChip[] {
  const gone = lost - serving;
  const chips: LostChip[] = [];
  const chip = (kind: StandInKind, figure: string | undefined, words: string): LostChip => ({
    kind,
    ...(figure !== undefined ? { figure } : {}),
    words,
    text: figure !== undefined ? `${figure} ${words}` : words,
    title: standInTitle(kind),
  });
  const allOf = (count: number): string | undefined => (count === 1 ? undefined : `all ${count}`);
  if (all && lost === 0 && checking > 0) return [chip('checking', allOf(checking), standInTag('checking'))];
  if (all && checking === 0 && serving === 0) return [chip('lost', allOf(lost), STAND_IN_WORDS.lost)];
  if (all && checking === 0 && gone === 0) return [chip('unlisted', undefined, STAND_IN_WORDS.unlisted)];
  if (gone > 0) chips.push(chip('lost', String(gone), standInTag('lost')));
  if (serving > 0) chips.push(chip('unlisted', String(serving), standInTag('unlisted')));
  if (checking > 0) chips.push(chip('checking', String(checking), standInTag('checking')));
  return chips;
}
