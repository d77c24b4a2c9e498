import { groupGraphId, nodeGraphId, type GroupMode, type GroupSummary } from './topology-group';
import type { LayoutEdge, LayoutNode, LayoutRequest, Point } from './topology-layout';
import { blocksToPlace, boundsOf, placeBlocks, type Block, type PositionMap } from './topology-positions';

/**
 * Where nodes without a position go, shared by the browser and the server's layout cache: a whole
 * layout when nothing is placed yet, otherwise blocks of newcomers laid out on their own and put
 * next to what they are connected to, so nothing already placed ever moves.
 */

export type LayoutFunction = (request: LayoutRequest) => Promise<PositionMap>;

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
  const blocks: Block[] = [];
  for (const block of blocksToPlace(unplaced, edges)) {
    const first = block.nodes[0];
    let relative: PositionMap;
    if (block.nodes.length === 1 && first) relative = new Map([[first.id, { x: 0, y: 0 }]]);
    else {
      const ids = new Set(block.nodes.map((node) => node.id));
      relative = await layout({
        nodes: block.nodes.map(({ id, width, height }) => ({ id, width, height })),
        edges: edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)),
      });
    }
    blocks.push({ ...block, relative });
  }
  return placeBlocks(blocks, placed, nodes, edges, anchorOf);
}

/** A layout computed elsewhere (the server's), as shipped with the page: one grouping mode, `[graph id, x, y]` entries. */
export interface PrecomputedLayout {
  mode: GroupMode;
  positions: [string, number, number][];
}

export const precomputedPositions = (layout: PrecomputedLayout): PositionMap => new Map(layout.positions.map(([id, x, y]) => [id, { x, y }]));
