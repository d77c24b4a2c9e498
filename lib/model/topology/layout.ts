import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import { boundsOf, type Rect } from './positions';

/**
 * Layered layout (ELK) for the topology map. Building the ELK graph and reading positions back are
 * pure functions (tested in Node against real ELK), shared by the two places that run ELK off
 * their main thread: the server (a worker thread, `lib/server/topology-layout/`) and the browser
 * (a web worker, `lib/client/topology/layout-engine.ts`), so laying out 1,000 nodes never blocks
 * input or requests.
 */

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** Expanded group the node is drawn in: laid out as a compound node, so members stay together. */
  group?: string;
}

export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  /** How many calls (topology edges) it stands for; the strongest edges shape dense graphs. */
  weight?: number;
}

/** Above this many edges per node, only each node's strongest MAX_LAYOUT_EDGES_PER_NODE outgoing edges shape the layout (all are drawn). */
export const DENSE_EDGES_PER_NODE = 3;
export const MAX_LAYOUT_EDGES_PER_NODE = 3;

/**
 * The edges a layout considers. A dense graph (collapsed groups calling each other every which
 * way) lays out in seconds instead of tens of seconds with only each node's strongest outgoing
 * edges, and looks no worse: a layered layout cannot honour a hairball's every edge anyway.
 */
export function layoutEdges(nodeCount: number, edges: readonly LayoutEdge[]): LayoutEdge[] {
  const usable = edges.filter((edge) => edge.from !== edge.to);
  if (usable.length <= DENSE_EDGES_PER_NODE * Math.max(nodeCount, 1)) return usable;
  const bySource = new Map<string, LayoutEdge[]>();
  for (const edge of usable) bySource.set(edge.from, [...(bySource.get(edge.from) ?? []), edge]);
  const kept: LayoutEdge[] = [];
  for (const list of bySource.values()) {
    list.sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    kept.push(...list.slice(0, MAX_LAYOUT_EDGES_PER_NODE));
  }
  return kept;
}

export interface LayoutRequest {
  nodes: readonly LayoutNode[];
  edges: readonly LayoutEdge[];
}

/** Room above a group's members for its title bar, and around them. */
export const GROUP_PADDING = { top: 44, left: 18, bottom: 18, right: 18 } as const;

/** Big graphs get the cheaper settings: ELK's defaults take seconds from 1,000 nodes on. */
const BIG_GRAPH_NODES = 250;

/**
 * Up to this many nodes, node placement by network simplex (straightest edges); above it,
 * Brandes-Köpf. Network simplex grows steeply with shared callees: a ring of services each calling
 * the next three, one database and one queue (an OTLP fleet's shape) took 5 s at 33 nodes and 57 s
 * at 53, against 1.4 s and 2 s with Brandes-Köpf (ELK 0.9, one core of this machine).
 */
export const NETWORK_SIMPLEX_PLACEMENT_MAX_NODES = 24;

/** Deeper than this many layers, a graph gets the faster cycle breaking (and foldWideLayers wraps it into rows). */
export const DEEP_LAYERS = 24;

/**
 * How deep the graph runs: the most breadth-first steps from a root (a node nobody calls, or the
 * first node of a component without one) to any node. Long chains score high; dense graphs with
 * many cycles (collapsed groups calling each other) score low, as a layered layout will see them.
 */
export function layerDepth(nodes: readonly { id: string }[], edges: readonly { from: string; to: string }[]): number {
  const next = new Map<string, string[]>();
  const called = new Set<string>();
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    const list = next.get(edge.from);
    if (list) list.push(edge.to);
    else next.set(edge.from, [edge.to]);
    called.add(edge.to);
  }
  const level = new Map<string, number>();
  let deepest = 0;
  const bfs = (roots: string[]): void => {
    let frontier = roots.filter((id) => !level.has(id));
    for (const id of frontier) level.set(id, 1);
    let depth = 1;
    while (frontier.length > 0) {
      deepest = Math.max(deepest, depth);
      const following: string[] = [];
      for (const id of frontier) {
        for (const target of next.get(id) ?? []) {
          if (level.has(target)) continue;
          level.set(target, depth + 1);
          following.push(target);
        }
      }
      frontier = following;
      depth += 1;
    }
  };
  bfs(nodes.map((node) => node.id).filter((id) => !called.has(id)));
  for (const { id } of nodes) if (!level.has(id)) bfs([id]);
  return deepest;
}

export function layoutOptions(nodeCount: number, deep = false, grouped = false): LayoutOptions {
  const big = nodeCount > BIG_GRAPH_NODES;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.spacing.nodeNode': '22',
    'elk.layered.spacing.nodeNodeBetweenLayers': '90',
    'elk.spacing.componentComponent': '60',
    'elk.aspectRatio': '1.8',
    // ELK is deterministic: equal inputs (nodes in name order) give equal layouts. Do not add
    // considerModelOrder: on 1,000 nodes it took 20 s instead of 1 s.
    'elk.layered.thoroughness': big ? '1' : '7',
    // Longest-path layering is a third faster on 1,000 nodes, and puts what calls nothing (databases, caches) in the last column.
    'elk.layered.layering.strategy': big ? 'LONGEST_PATH' : 'NETWORK_SIMPLEX',
    'elk.layered.nodePlacement.strategy': big ? 'SIMPLE' : nodeCount <= NETWORK_SIMPLEX_PLACEMENT_MAX_NODES ? 'NETWORK_SIMPLEX' : 'BRANDES_KOEPF',
    'elk.layered.crossingMinimization.greedySwitch.type': big ? 'OFF' : 'TWO_SIDED',
    'elk.layered.compaction.postCompaction.strategy': 'NONE',
    // Compound layout only when there are groups: it costs half again as much.
    'elk.hierarchyHandling': grouped ? 'INCLUDE_CHILDREN' : 'SEPARATE_CHILDREN',
    // ELK's own wrapping took over a minute on a 500-node ring in the browser; a depth-first cycle
    // break keeps deep graphs to seconds, and foldWideLayers wraps the result into rows.
    ...(deep ? { 'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST' } : {}),
  };
}

const groupElkId = (key: string): string => `group\u0000${key}`;

/** The ELK graph for a request: expanded groups become compound nodes holding their members. */
export function toElkGraph(request: LayoutRequest): ElkNode {
  const known = new Set(request.nodes.map((node) => node.id));
  const considered = layoutEdges(request.nodes.length, request.edges.filter((edge) => known.has(edge.from) && known.has(edge.to)));
  const deep = layerDepth(request.nodes, considered) > DEEP_LAYERS;
  const grouped = request.nodes.some((node) => node.group !== undefined);
  const root: ElkNode & { children: ElkNode[] } = { id: 'root', layoutOptions: layoutOptions(request.nodes.length, deep, grouped), children: [] };
  const groups = new Map<string, ElkNode & { children: ElkNode[] }>();
  const padding = `[top=${GROUP_PADDING.top},left=${GROUP_PADDING.left},bottom=${GROUP_PADDING.bottom},right=${GROUP_PADDING.right}]`;
  for (const node of request.nodes) {
    const shape: ElkNode = { id: node.id, width: node.width, height: node.height };
    if (node.group === undefined) {
      root.children.push(shape);
      continue;
    }
    let group = groups.get(node.group);
    if (!group) {
      group = { id: groupElkId(node.group), layoutOptions: { 'elk.padding': padding }, children: [] };
      groups.set(node.group, group);
      root.children.push(group);
    }
    group.children.push(shape);
  }
  const edges: ElkExtendedEdge[] = considered.map((edge) => ({ id: edge.id, sources: [edge.from], targets: [edge.to] }));
  return { ...root, edges };
}

/** Absolute top-left positions of the request's nodes (group containers are not nodes of ours). */
export function positionsFromElk(result: ElkNode): Map<string, Point> {
  const positions = new Map<string, Point>();
  const visit = (node: ElkNode, offsetX: number, offsetY: number): void => {
    for (const child of node.children ?? []) {
      const x = offsetX + (child.x ?? 0);
      const y = offsetY + (child.y ?? 0);
      if (child.children && child.children.length > 0) visit(child, x, y);
      else if (!child.id.startsWith('group\u0000')) positions.set(child.id, { x: Math.round(x), y: Math.round(y) });
    }
  };
  visit(result, 0, 0);
  return positions;
}

/** The nodes that have a position, placed there, and the box around them (undefined: none placed). */
function placedNodes(positions: ReadonlyMap<string, Point>, nodes: readonly LayoutNode[]): { placed: (LayoutNode & Point)[]; bounds: Rect | undefined } {
  const placed = nodes.flatMap((node) => {
    const p = positions.get(node.id);
    return p ? [{ ...node, ...p }] : [];
  });
  return { placed, bounds: boundsOf(placed) };
}

/** The screen's shape the overview aims for (wide: 1440×900 and the like). */
export const TARGET_ASPECT = 1.6;
const COLUMN_GAP = 36;
const ROW_GAP = 22;
const LAYER_GAP = 90;

/**
 * A layered layout of a big, shallow fleet is a few columns of hundreds of nodes each (1,000
 * services: 4,000 × 33,000 px), which no screen can show. This folds each tall layer into
 * side-by-side sub-columns, in ELK's order (column-major, so its crossing minimisation still
 * mostly holds), choosing the row count that brings the whole close to TARGET_ASPECT. Layers stay
 * left to right; nothing changes for layouts that are not taller than wide.
 */
export function foldTallLayers(positions: ReadonlyMap<string, Point>, nodes: readonly LayoutNode[], aspect = TARGET_ASPECT): Map<string, Point> {
  const { placed, bounds } = placedNodes(positions, nodes);
  if (!bounds) return new Map(positions);
  const { width, height } = bounds;
  if (height <= 0 || width / height >= aspect / 2) return new Map(positions);

  // Layers: nodes sharing a centre line, left to right; within a layer, top to bottom.
  const byCentre = new Map<number, typeof placed>();
  for (const node of placed) {
    const centre = Math.round(node.x + node.width / 2);
    byCentre.set(centre, [...(byCentre.get(centre) ?? []), node]);
  }
  const layers = [...byCentre.entries()].sort(([a], [b]) => a - b).map(([, list]) => list.sort((a, b) => a.y - b.y));
  const pitchX = (layer: typeof placed): number => Math.max(...layer.map((n) => n.width)) + COLUMN_GAP;
  const pitchY = Math.max(...placed.map((n) => n.height)) + ROW_GAP;
  const tallest = Math.max(...layers.map((layer) => layer.length));

  const shapeFor = (rows: number): { width: number; height: number } => {
    let total = 0;
    for (const layer of layers) total += Math.ceil(layer.length / rows) * pitchX(layer);
    return { width: total + (layers.length - 1) * (LAYER_GAP - COLUMN_GAP), height: Math.min(rows, tallest) * pitchY };
  };
  let best = tallest;
  let bestScore = Infinity;
  for (let rows = 1; rows <= tallest; rows += 1) {
    const shape = shapeFor(rows);
    const score = Math.abs(Math.log(shape.width / shape.height / aspect));
    if (score < bestScore) {
      best = rows;
      bestScore = score;
    }
  }

  const result = new Map(positions);
  let x = 0;
  for (const layer of layers) {
    const columns = Math.ceil(layer.length / best);
    const perColumn = Math.ceil(layer.length / columns);
    const pitch = pitchX(layer);
    layer.forEach((node, i) => {
      const column = Math.floor(i / perColumn);
      const row = i % perColumn;
      // Centred vertically, so short layers sit in the middle as ELK would put them.
      result.set(node.id, { x: Math.round(x + column * pitch), y: Math.round((row - perColumn / 2) * pitchY) });
    });
    x += columns * pitch + LAYER_GAP - COLUMN_GAP;
  }
  return result;
}

/**
 * Up to this many layers a wide layout stays one row: seven layers (~2,000 px) fit a 1440 px
 * screen at 0.7 and read left to right, while folded into two bands every call from the first band
 * to the second crossed the map backwards (the demo's fleet, once its OpenTelemetry calls were in).
 */
export const MAX_UNFOLDED_LAYERS = 12;

/**
 * The other way round: a deep graph (a long chain of calls) lays out as one row of layers 100,000
 * px wide. This cuts the sequence of layers into bands stacked top to bottom, like lines of text,
 * choosing the band count that brings the whole closest to `aspect`; graphs of up to
 * MAX_UNFOLDED_LAYERS layers are left alone.
 */
export function foldWideLayers(positions: ReadonlyMap<string, Point>, nodes: readonly LayoutNode[], aspect = TARGET_ASPECT): Map<string, Point> {
  const { placed, bounds } = placedNodes(positions, nodes);
  if (!bounds) return new Map(positions);
  const { x: minX, width, height } = bounds;
  if (height <= 0 || width / height <= aspect * 2) return new Map(positions);

  const byCentre = new Map<number, typeof placed>();
  for (const node of placed) {
    const centre = Math.round(node.x + node.width / 2);
    byCentre.set(centre, [...(byCentre.get(centre) ?? []), node]);
  }
  const layers = [...byCentre.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
  if (layers.length <= MAX_UNFOLDED_LAYERS) return new Map(positions);
  const span = (layer: typeof placed) => ({
    left: Math.min(...layer.map((n) => n.x)),
    right: Math.max(...layer.map((n) => n.x + n.width)),
  });
  let best = 1;
  let bestScore = Infinity;
  for (let bands = 1; bands <= layers.length; bands += 1) {
    const score = Math.abs(Math.log(width / bands / ((height + LAYER_GAP) * bands) / aspect));
    if (score < bestScore) {
      best = bands;
      bestScore = score;
    }
  }
  const bandWidth = width / best;
  const result = new Map(positions);
  let band = 0;
  let bandStart = minX;
  for (const layer of layers) {
    const { left, right } = span(layer);
    if (right - bandStart > bandWidth && left > bandStart) {
      band += 1;
      bandStart = left;
    }
    for (const node of layer) result.set(node.id, { x: Math.round(node.x - bandStart + minX), y: Math.round(node.y + band * (height + LAYER_GAP * 2)) });
  }
  return result;
}

/**
 * The room a fitted map has on a desktop is 1.8 to 2.2 times wider than tall (1,400 × 763 at
 * 1440 × 900; 1,240 × 573 at 1280 × 800 under an origin notice). A layout spread to this shape
 * stays at least as wide as that room, so its fitted zoom is still set by its width: spread past
 * the room's shape, it would be fitted smaller.
 */
export const SPREAD_ASPECT = 2.2;
/** Nodes of a layer at most this many times their distance apart in ELK's layout (22 px gaps become at most ~180). */
export const MAX_SPREAD = 3;

/**
 * A shallow fleet with a handful of layers (the demo's: seven, 1,950 × 440 px) is fitted by its
 * width and filled under half of the canvas' height, its layers packed 22 px apart with the rest
 * empty. This moves each layer's nodes apart vertically (their centres' distances from the
 * layout's middle scaled alike, so a straight edge stays straight and the order within a layer
 * holds) until the whole is SPREAD_ASPECT wide, at most MAX_SPREAD times: the map fills the
 * canvas at the zoom its width allows, edges and their labels get room, and folding into bands,
 * which would make every call between bands cross the map backwards, is not needed. Only distances
 * grow, so nothing comes to overlap; x is untouched, so layers and left-to-right reading stay.
 */
export function spreadShallowLayers(positions: ReadonlyMap<string, Point>, nodes: readonly LayoutNode[], aspect = SPREAD_ASPECT): Map<string, Point> {
  const { placed, bounds } = placedNodes(positions, nodes);
  if (!bounds) return new Map(positions);
  const { width, height } = bounds;
  const centres = placed.map((n) => n.y + n.height / 2);
  const low = Math.min(...centres);
  const span = Math.max(...centres) - low;
  // The part of the height that does not scale: half of the top node and half of the bottom one.
  const fixed = height - span;
  if (span <= 0 || width / height <= aspect) return new Map(positions);
  const factor = Math.min(MAX_SPREAD, (width / aspect - fixed) / span);
  const result = new Map(positions);
  for (const node of placed) {
    const centre = low + (node.y + node.height / 2 - low) * factor;
    // Anchored at the top node's centre, so the layout keeps its top edge.
    result.set(node.id, { x: node.x, y: Math.round(centre - node.height / 2) });
  }
  return result;
}

/** Positions from ELK's answer to `toElkGraph(request)`, folded or spread towards the screen's shape (ungrouped layouts). */
export function finishLayout(result: ElkNode, request: LayoutRequest): Map<string, Point> {
  const positions = positionsFromElk(result);
  if (request.nodes.some((node) => node.group !== undefined)) return positions;
  return spreadShallowLayers(foldWideLayers(foldTallLayers(positions, request.nodes), request.nodes), request.nodes);
}

/** Whatever runs ELK (a web worker in the browser, a worker thread on the server). */
export interface LayoutEngine {
  layout(request: LayoutRequest): Promise<Map<string, Point>>;
  dispose(): void;
}

/** A first, tiny layout takes ELK's one-off set-up (~1 s cold) off the first real one; a bigger one would delay it. */
export const WARM_UP: LayoutRequest = {
  nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 100, height: 40 })),
  edges: [
    { id: 'ab', from: 'a', to: 'b' },
    { id: 'bc', from: 'b', to: 'c' },
    { id: 'ad', from: 'a', to: 'd' },
    { id: 'dc', from: 'd', to: 'c' },
  ],
};
