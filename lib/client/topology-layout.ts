import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';

/**
 * Layered layout (ELK) for the topology map. Building the ELK graph and reading positions back are
 * pure functions (tested in Node against real ELK); the browser runs ELK itself in a web worker
 * (`createLayoutEngine`), so laying out 1,000 nodes never blocks input.
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
}

export interface LayoutRequest {
  nodes: readonly LayoutNode[];
  edges: readonly LayoutEdge[];
}

/** Room above a group's members for its title bar, and around them. */
export const GROUP_PADDING = { top: 44, left: 18, bottom: 18, right: 18 } as const;

/** Big graphs get the cheaper settings: ELK's defaults take seconds from 1,000 nodes on. */
const BIG_GRAPH_NODES = 250;

/** Deeper than this many layers, the layout wraps its layers into rows (a long chain is otherwise a line 100,000 px wide). */
export const DEEP_LAYERS = 24;

/**
 * The number of layers a layered layout needs: the longest path once cycles are broken by a
 * depth-first search (the edges that close a cycle are ignored). Iterative, linear.
 */
export function layerDepth(nodes: readonly { id: string }[], edges: readonly { from: string; to: string }[]): number {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    const list = next.get(edge.from);
    if (list) list.push(edge.to);
    else next.set(edge.from, [edge.to]);
  }
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const depth = new Map<string, number>();
  let deepest = nodes.length > 0 ? 1 : 0;
  for (const { id: root } of nodes) {
    if (state.has(root)) continue;
    const stack: { id: string; i: number }[] = [{ id: root, i: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) break;
      const targets = next.get(top.id) ?? [];
      if (top.i < targets.length) {
        const target = targets[top.i] ?? '';
        top.i += 1;
        if (!state.has(target)) {
          state.set(target, 1);
          stack.push({ id: target, i: 0 });
        }
        continue;
      }
      // Done: one more than the deepest finished successor (successors still on the stack close a cycle).
      let below = 0;
      for (const target of targets) if (state.get(target) === 2) below = Math.max(below, depth.get(target) ?? 0);
      depth.set(top.id, below + 1);
      deepest = Math.max(deepest, below + 1);
      state.set(top.id, 2);
      stack.pop();
    }
  }
  return deepest;
}

export function layoutOptions(nodeCount: number, deep = false): LayoutOptions {
  const big = nodeCount > BIG_GRAPH_NODES;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.spacing.nodeNode': '22',
    'elk.layered.spacing.nodeNodeBetweenLayers': '90',
    'elk.spacing.componentComponent': '60',
    'elk.aspectRatio': '1.8',
    // Input order is name order: equal inputs give equal layouts.
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.thoroughness': big ? '1' : '7',
    'elk.layered.nodePlacement.strategy': big ? 'SIMPLE' : 'NETWORK_SIMPLEX',
    'elk.layered.crossingMinimization.greedySwitch.type': big ? 'OFF' : 'TWO_SIDED',
    'elk.layered.compaction.postCompaction.strategy': 'NONE',
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    ...(deep ? { 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST' } : {}),
  };
}

const groupElkId = (key: string): string => `group\u0000${key}`;

/** The ELK graph for a request: expanded groups become compound nodes holding their members. */
export function toElkGraph(request: LayoutRequest): ElkNode {
  const known = new Set(request.nodes.map((node) => node.id));
  const deep = layerDepth(request.nodes, request.edges) > DEEP_LAYERS;
  const root: ElkNode & { children: ElkNode[] } = { id: 'root', layoutOptions: layoutOptions(request.nodes.length, deep), children: [] };
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
  const edges: ElkExtendedEdge[] = request.edges
    .filter((edge) => edge.from !== edge.to && known.has(edge.from) && known.has(edge.to))
    .map((edge) => ({ id: edge.id, sources: [edge.from], targets: [edge.to] }));
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

export interface LayoutEngine {
  layout(request: LayoutRequest): Promise<Map<string, Point>>;
  dispose(): void;
}

export const ENGINE_READY_MEASURE = 'switchyard:topology-engine-ready';

const WARM_UP: LayoutRequest = {
  nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 100, height: 40 })),
  edges: [
    { id: 'ab', from: 'a', to: 'b' },
    { id: 'bc', from: 'b', to: 'c' },
    { id: 'ad', from: 'a', to: 'd' },
    { id: 'dc', from: 'd', to: 'c' },
  ],
};

/** The bundler recognises exactly this shape and bundles the worker as its own entry. */
function spawnLayoutWorker(): Worker {
  return new Worker(new URL('./topology-layout.worker.ts', import.meta.url), { type: 'module' });
}

/** ELK in a web worker (browser only). */
export async function createLayoutEngine(): Promise<LayoutEngine> {
  const { default: ELK } = await import('elkjs/lib/elk-api');
  const started = performance.now();
  const elk = new ELK({ workerFactory: spawnLayoutWorker });
  // A first, tiny layout: the worker loads and compiles ELK while the page is still starting,
  // instead of during the first real layout.
  await elk.layout(toElkGraph(WARM_UP));
  performance.measure(ENGINE_READY_MEASURE, { start: started });
  return {
    async layout(request) {
      return positionsFromElk(await elk.layout(toElkGraph(request)));
    },
    dispose: () => elk.terminateWorker(),
  };
}
