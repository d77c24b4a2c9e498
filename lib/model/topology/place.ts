import { groupGraphId, nodeGraphId, type GroupMode, type GroupSummary } from './group';
import type { LayoutEdge, LayoutNode, LayoutRequest, Point } from './layout';
import { blocksToPlace, boundsOf, placeBlocks, type Block, type PositionMap } from './positions';

/**
 * Where nodes without a position go, shared by the browser and the server's layout cache: a whole
 * layout when nothing is placed yet, otherwise blocks of newcomers laid out on their own and put
 * next to what they are connected to, so nothing already placed ever moves.
 */

export type LayoutFunction = (request: LayoutRequest) => Promise<PositionMap>;

/** Blocks of newcomers placed between two turns of the event loop. */
const PLACE_CHUNK = 50;

/** A grid, row by row, for when no layout engine can run: ugly but usable, and still stable. */
export function gridFallback(nodes: readonly LayoutNode[], start: Point): PositionMap {
  const perRow = Math.max(1, Math.ceil(Math.sqrt(nodes.length)));
  return new Map(nodes.map((node, i) => [node.id, { x: start.x + (i % perRow) * 240, y: start.y + Math.floor(i / perRow) * 100 }]));
}

/** A collapsed group whose members have places takes the top-left of their area: collapsing moves nothing else. */
export function collapsedGroupSpots(nodes: readonly LayoutNode[], groups: ReadonlyMap<string, GroupSummary>, placed: ReadonlyMap<string, Point>): PositionMap {
  const spots: PositionMap = new Map();
  for (const node of nodes) {
    if (placed.has(node.id) || !node.id.startsWith('g:')) continue;
    const member = boundsOf(
      (groups.get(node.id.slice(2))?.members ?? []).flatMap((name) => {
        const p = placed.get(nodeGraphId(name));
        return p ? [{ ...p, width: 0, height: 0 }] : [];
      }),
    );
    if (member) spots.set(node.id, { x: member.x, y: member.y });
  }
  return spots;
}

export interface PlacementInput {
  nodes: readonly LayoutNode[];
  edges: readonly LayoutEdge[];
  groups: ReadonlyMap<string, GroupSummary>;
  /** Positions so far; not modified. */
  placed: ReadonlyMap<string, Point>;
}

/** Positions for the nodes of `input.nodes` that have none in `input.placed`. */
export async function placeNewcomers({ nodes, edges, groups, placed }: PlacementInput, layout: LayoutFunction): Promise<PositionMap> {
  const unplaced = nodes.filter((node) => !placed.has(node.id));
  if (unplaced.length === 0) return new Map();
  if (unplaced.length === nodes.length) return layout({ nodes, edges });

  const sizes = new Map(nodes.map((node) => [node.id, node]));
  const anchorOf = (key: string): Point | undefined => {
    const members = (groups.get(key)?.members ?? []).flatMap((name) => {
      const id = nodeGraphId(name);
      const p = placed.get(id);
      const size = p && sizes.get(id);
      return p && size ? [{ ...p, width: size.width, height: size.height }] : [];
    });
    const box = boundsOf(members);
    return box ? { x: box.x, y: box.y + box.height + 40 } : placed.get(groupGraphId(key));
  };
  const toPlace = blocksToPlace(unplaced, edges);
  // Each block's inner edges, in one pass over the edges (not one pass per block).
  const blockOf = new Map<string, number>();
  toPlace.forEach((block, i) => block.nodes.forEach((node) => blockOf.set(node.id, i)));
  const inner = toPlace.map((): LayoutEdge[] => []);
  for (const edge of edges) {
    const i = blockOf.get(edge.from);
    if (i !== undefined && blockOf.get(edge.to) === i) inner[i]?.push(edge);
  }
  const sized = (nodes: readonly LayoutNode[]): LayoutNode[] => nodes.map(({ id, width, height }) => ({ id, width, height }));
  // Every connected block of loose newcomers in one layout run: ELK lays out connected components
  // apart, so each keeps the shape it would have alone, and a flood of new caller→callee pairs
  // costs one run, not one per pair. (placeBlocks uses relative positions from the block's corner.)
  const loose = toPlace.flatMap((block, i) => (block.group === undefined && block.nodes.length > 1 ? [i] : []));
  const together =
    loose.length > 0 ? await layout({ nodes: loose.flatMap((i) => sized(toPlace[i]?.nodes ?? [])), edges: loose.flatMap((i) => inner[i] ?? []) }) : new Map<string, Point>();
  const blocks: Block[] = [];
  for (const [i, block] of toPlace.entries()) {
    const first = block.nodes[0];
    let relative: PositionMap;
    if (block.nodes.length === 1 && first) relative = new Map([[first.id, { x: 0, y: 0 }]]);
    else if (block.group === undefined) relative = new Map(block.nodes.flatMap((node) => (together.has(node.id) ? [[node.id, together.get(node.id) as Point]] : [])));
    // A group's members need not be connected: laid out on their own, so they stay together.
    else relative = await layout({ nodes: sized(block.nodes), edges: inner[i] ?? [] });
    blocks.push({ ...block, relative });
  }
  // In chunks, letting the event loop (a server's requests, a browser's frames) run in between:
  // a flood of newcomers never holds it for more than one chunk's placement.
  const result: PositionMap = new Map();
  for (let from = 0; from < blocks.length; from += PLACE_CHUNK) {
    if (from > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    const sofar = result.size === 0 ? placed : new Map([...placed, ...result]);
    for (const [id, p] of placeBlocks(blocks.slice(from, from + PLACE_CHUNK), sofar, nodes, edges, anchorOf)) result.set(id, p);
  }
  return result;
}

/** A layout computed elsewhere (the server's), as shipped with the page: one grouping mode, `[graph id, x, y]` entries. */
export interface PrecomputedLayout {
  mode: GroupMode;
  positions: [string, number, number][];
  /**
   * Ids of the edges it knew that it draws right to left (cycles): any other edge drawn so on a
   * page seeded from it appeared after the layout.
   */
  backward?: string[];
}

export const precomputedPositions = (layout: PrecomputedLayout): PositionMap => new Map(layout.positions.map(([id, x, y]) => [id, { x, y }]));

/**
 * Where a page's map starts for one grouping mode. Positions arranged by hand (a node dragged)
 * are the reader's and stay; otherwise the server's layout, made from the graph as it is now (its
 * calls included), is a better start than what this browser stored from an older graph.
 */
export function startingPositions(stored: PositionMap, arranged: boolean, mode: GroupMode, server: PrecomputedLayout | undefined): { positions: PositionMap; fromServer: boolean } {
  const usable = server?.mode === mode && server.positions.length > 0 ? server : undefined;
  if (usable && (stored.size === 0 || !arranged)) return { positions: precomputedPositions(usable), fromServer: true };
  return { positions: stored, fromServer: false };
}
