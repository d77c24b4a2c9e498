import type { LayoutEdge, LayoutNode, Point } from './layout';

/**
 * Where every node of the map sits, per grouping mode, and how a newcomer finds a place without
 * moving anyone: on a page, positions only ever change by a layout of nodes that have none, a drag,
 * or an explicit re-layout. They are kept in localStorage; once arranged by hand (a drag), the map
 * looks the same tomorrow, and until then a page starts from the server's current layout.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type PositionMap = Map<string, Point>;

export const STORAGE_PREFIX = 'switchyard.topology.positions.v1.';
/** Positions of nodes long gone are kept (they may come back) up to this many per mode. */
export const MAX_STORED = 20_000;

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadPositions(storage: StorageLike | undefined, mode: string): PositionMap {
  const positions: PositionMap = new Map();
  try {
    const text = storage?.getItem(STORAGE_PREFIX + mode);
    if (!text) return positions;
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return positions;
    for (const entry of parsed) {
      if (!Array.isArray(entry) || entry.length !== 3) continue;
      const [id, x, y] = entry as unknown[];
      if (typeof id === 'string' && typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) positions.set(id, { x, y });
    }
  } catch {
    // Unreadable or blocked storage: start from a fresh layout.
  }
  return positions;
}

export function savePositions(storage: StorageLike | undefined, mode: string, positions: PositionMap): void {
  // Newest entries last (Map order): when over the cap, the oldest go first.
  const entries = [...positions].slice(-MAX_STORED).map(([id, p]) => [id, Math.round(p.x), Math.round(p.y)]);
  try {
    storage?.setItem(STORAGE_PREFIX + mode, JSON.stringify(entries));
  } catch {
    // Quota or blocked storage: positions then last for this page only.
  }
}

export function clearPositions(storage: StorageLike | undefined, mode: string): void {
  try {
    storage?.removeItem(STORAGE_PREFIX + mode);
  } catch {
    // ignore
  }
}

/** Set once a node of the mode's map is dragged: from then on, the stored positions are the reader's own. */
export const ARRANGED_PREFIX = 'switchyard.topology.arranged.v1.';

export function isArranged(storage: StorageLike | undefined, mode: string): boolean {
  try {
    return storage?.getItem(ARRANGED_PREFIX + mode) === '1';
  } catch {
    return false;
  }
}

export function setArranged(storage: StorageLike | undefined, mode: string, arranged: boolean): void {
  try {
    if (arranged) storage?.setItem(ARRANGED_PREFIX + mode, '1');
    else storage?.removeItem(ARRANGED_PREFIX + mode);
  } catch {
    // Blocked storage: nothing is stored anyway.
  }
}

export const overlaps = (a: Rect, b: Rect, gap = 0): boolean =>
  a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;

/**
 * Ids of the edges drawn right to left: the callee placed left of its caller. A layered layout
 * draws calls left to right but for cycles, so new ones here mean calls appeared after the layout.
 */
export function backwardEdges(edges: readonly LayoutEdge[], positions: ReadonlyMap<string, Point>): Set<string> {
  const backward = new Set<string>();
  for (const edge of edges) {
    const from = positions.get(edge.from);
    const to = positions.get(edge.to);
    if (from && to && to.x < from.x) backward.add(edge.id);
  }
  return backward;
}

/** The box around `rects`, or undefined for none. */
export function boundsOf(rects: Iterable<Rect>): Rect | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const r of rects) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.width);
    maxY = Math.max(maxY, r.y + r.height);
  }
  return minX === Infinity ? undefined : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Cell size of `Occupancy`'s grid: a few nodes across, so a query looks at a handful of cells. */
const CELL = 512;
/** Rings of candidate spots `findFreeSpot` tries around the preferred one before giving up on it. */
const RINGS = 24;

/** Where a search for a free spot around one preferred spot (for one size) stopped: see `findFreeSpot`. */
export interface SearchProgress {
  /** 0 is the preferred spot itself, 1…RINGS the rings around it, beyond that "below everything". */
  ring: number;
  /** The candidate of that ring (closest first) to try next: every one before it was taken. */
  index: number;
}

/**
 * Rects on a map, bucketed in a grid of `CELL`-sized cells, so asking whether a spot is free looks
 * at the few rects near it instead of all of them (placing one newcomer among 5,000 nodes used to
 * test every candidate spot against all 5,000). Rects are only ever added, so a spot once found
 * taken stays taken: searches remember how far they got.
 */
export class Occupancy {
  readonly #cells = new Map<string, Rect[]>();
  readonly #progress = new Map<string, SearchProgress>();
  #minX = Infinity;
  #minY = Infinity;
  #maxX = -Infinity;
  #maxY = -Infinity;
  /** Rect-against-rect tests so far: what a placement costs, for tests. */
  comparisons = 0;

  constructor(rects: Iterable<Rect> = []) {
    for (const rect of rects) this.add(rect);
  }

  add(rect: Rect): void {
    this.#eachCell(rect, 0, (key) => {
      const cell = this.#cells.get(key);
      if (cell) cell.push(rect);
      else this.#cells.set(key, [rect]);
      return false;
    });
    this.#minX = Math.min(this.#minX, rect.x);
    this.#minY = Math.min(this.#minY, rect.y);
    this.#maxX = Math.max(this.#maxX, rect.x + rect.width);
    this.#maxY = Math.max(this.#maxY, rect.y + rect.height);
  }

  /** Whether `rect`, kept `gap` away from everything, would overlap anything here. */
  collides(rect: Rect, gap: number): boolean {
    return this.#eachCell(rect, gap, (key) =>
      (this.#cells.get(key) ?? []).some((other) => {
        this.comparisons += 1;
        return overlaps(rect, other, gap);
      }),
    );
  }

  bounds(): Rect | undefined {
    return this.#minX === Infinity ? undefined : { x: this.#minX, y: this.#minY, width: this.#maxX - this.#minX, height: this.#maxY - this.#minY };
  }

  progress(search: string): SearchProgress {
    return this.#progress.get(search) ?? { ring: 0, index: 0 };
  }

  setProgress(search: string, progress: SearchProgress): void {
    this.#progress.set(search, progress);
  }

  /** Calls `visit` for each cell `rect` (grown by `gap`) touches, until one returns true. */
  #eachCell(rect: Rect, gap: number, visit: (key: string) => boolean): boolean {
    const fromX = Math.floor((rect.x - gap) / CELL);
    const toX = Math.floor((rect.x + rect.width + gap) / CELL);
    const fromY = Math.floor((rect.y - gap) / CELL);
    const toY = Math.floor((rect.y + rect.height + gap) / CELL);
    for (let cx = fromX; cx <= toX; cx += 1) for (let cy = fromY; cy <= toY; cy += 1) if (visit(`${cx},${cy}`)) return true;
    return false;
  }
}

/** Ring `ring` of candidate spots around `preferred`, closest first (ties in a fixed order). */
function ringCandidates(preferred: Point, ring: number, stepX: number, stepY: number): Point[] {
  if (ring === 0) return [preferred];
  const candidates: Point[] = [];
  for (let i = -ring; i <= ring; i += 1) {
    candidates.push({ x: preferred.x + i * stepX, y: preferred.y + ring * stepY });
    candidates.push({ x: preferred.x + i * stepX, y: preferred.y - ring * stepY });
    if (i !== -ring && i !== ring) {
      candidates.push({ x: preferred.x + ring * stepX, y: preferred.y + i * stepY });
      candidates.push({ x: preferred.x - ring * stepX, y: preferred.y + i * stepY });
    }
  }
  const distance = (p: Point): number => (p.x - preferred.x) ** 2 + (p.y - preferred.y) ** 2;
  return candidates.sort((a, b) => distance(a) - distance(b));
}

/**
 * The free spot for a block nearest to `preferred`: tries the spot itself, then rings of
 * candidates around it (step = the gap plus a node's size), closest first. Falls back to below
 * everything, which is always free. Newcomers wanting the same spot (every new caller of one
 * service) resume where the previous search stopped, so placing k of them costs O(k + rings²)
 * free-spot tests in all, each against the few rects of nearby cells, whatever else is placed.
 */
export function findFreeSpot(size: { width: number; height: number }, preferred: Point, occupied: Occupancy, gap = 24): Point {
  const fits = (p: Point): boolean => !occupied.collides({ x: p.x, y: p.y, width: size.width, height: size.height }, gap);
  const search = `${preferred.x},${preferred.y},${size.width},${size.height},${gap}`;
  const stepX = Math.max(size.width / 2, 60) + gap;
  const stepY = Math.max(size.height / 2, 30) + gap;
  const from = occupied.progress(search);
  for (let ring = from.ring; ring <= RINGS; ring += 1) {
    const candidates = ringCandidates(preferred, ring, stepX, stepY);
    for (let index = ring === from.ring ? from.index : 0; index < candidates.length; index += 1) {
      const candidate = candidates[index] as Point;
      if (fits(candidate)) {
        occupied.setProgress(search, { ring, index });
        return candidate;
      }
    }
  }
  occupied.setProgress(search, { ring: RINGS + 1, index: 0 });
  const all = occupied.bounds();
  return all ? { x: preferred.x, y: all.y + all.height + gap * 2 } : preferred;
}

export interface Block {
  /** Nodes placed together, with their positions relative to the block's top-left. */
  nodes: readonly LayoutNode[];
  relative: PositionMap;
  /** An expanded group: the block goes where its collapsed node was. */
  group?: string;
}

/**
 * Splits the nodes that have no position into blocks laid out as one: the members of each group
 * together, every other connected set of newcomers together.
 */
export function blocksToPlace(unplaced: readonly LayoutNode[], edges: readonly LayoutEdge[]): { nodes: LayoutNode[]; group?: string }[] {
  const byGroup = new Map<string, LayoutNode[]>();
  const loose: LayoutNode[] = [];
  for (const node of unplaced) {
    if (node.group === undefined) loose.push(node);
    else {
      const members = byGroup.get(node.group);
      if (members) members.push(node);
      else byGroup.set(node.group, [node]);
    }
  }
  const blocks: { nodes: LayoutNode[]; group?: string }[] = [...byGroup].map(([group, nodes]) => ({ nodes, group }));
  // Connected components among the loose newcomers (union-find).
  const parent = new Map(loose.map((node) => [node.id, node.id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(id, root);
    return root;
  };
  for (const edge of edges) {
    if (parent.has(edge.from) && parent.has(edge.to)) parent.set(find(edge.from), find(edge.to));
  }
  const components = new Map<string, LayoutNode[]>();
  for (const node of loose) {
    const root = find(node.id);
    const members = components.get(root);
    if (members) members.push(node);
    else components.set(root, [node]);
  }
  for (const nodes of components.values()) blocks.push({ nodes });
  return blocks;
}

const LAYER_GAP = 90;

/**
 * Positions for blocks of newcomers, next to what they are connected to and clear of every node
 * already drawn (`placed`, restricted to `drawn` ids); nothing already placed moves. Callers are
 * on the left (the layout flows left to right), so a block goes right of its callers, or left of
 * what it calls; a group's members go where the collapsed group was; a block with no placed
 * neighbours goes below everything.
 */
export function placeBlocks(
  blocks: readonly Block[],
  placed: ReadonlyMap<string, Point>,
  drawn: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  groupAnchor: (group: string) => Point | undefined,
): PositionMap {
  const sizeOf = new Map(drawn.map((node) => [node.id, node]));
  const occupied = new Occupancy();
  for (const node of drawn) {
    const p = placed.get(node.id);
    if (p) occupied.add({ ...p, width: node.width, height: node.height });
  }
  // Each newcomer's edges, found once: looking through every edge for every block was O(blocks × edges).
  const newcomers = new Set(blocks.flatMap((block) => block.nodes.map((node) => node.id)));
  const edgesOf = new Map<string, LayoutEdge[]>();
  const link = (id: string, edge: LayoutEdge): void => {
    if (!newcomers.has(id)) return;
    const list = edgesOf.get(id);
    if (list) list.push(edge);
    else edgesOf.set(id, [edge]);
  };
  for (const edge of edges) {
    link(edge.from, edge);
    if (edge.to !== edge.from) link(edge.to, edge);
  }
  const result: PositionMap = new Map();
  for (const block of blocks) {
    const rects = block.nodes.map((node) => ({ ...(block.relative.get(node.id) ?? { x: 0, y: 0 }), width: node.width, height: node.height }));
    const box = boundsOf(rects) ?? { x: 0, y: 0, width: 0, height: 0 };
    const members = new Set(block.nodes.map((node) => node.id));
    let preferred: Point | undefined = block.group === undefined ? undefined : groupAnchor(block.group);
    if (!preferred) {
      const callers: Rect[] = [];
      const callees: Rect[] = [];
      for (const node of block.nodes) {
        for (const edge of edgesOf.get(node.id) ?? []) {
          const inFrom = members.has(edge.from);
          const inTo = members.has(edge.to);
          if (inFrom === inTo) continue;
          const other = inFrom ? edge.to : edge.from;
          const p = placed.get(other);
          const size = sizeOf.get(other);
          if (!p || !size) continue;
          (inFrom ? callees : callers).push({ ...p, width: size.width, height: size.height });
        }
      }
      const neighbours = [...callers, ...callees];
      if (neighbours.length > 0) {
        const centreY = neighbours.reduce((sum, r) => sum + r.y + r.height / 2, 0) / neighbours.length;
        const x =
          callers.length > 0
            ? callers.reduce((max, r) => Math.max(max, r.x + r.width), -Infinity) + LAYER_GAP
            : callees.reduce((min, r) => Math.min(min, r.x), Infinity) - LAYER_GAP - box.width;
        preferred = { x, y: centreY - box.height / 2 };
      } else {
        const all = occupied.bounds();
        preferred = all ? { x: all.x, y: all.y + all.height + LAYER_GAP } : { x: 0, y: 0 };
      }
    }
    const spot = findFreeSpot(box, preferred, occupied);
    for (const node of block.nodes) {
      const rel = block.relative.get(node.id) ?? { x: 0, y: 0 };
      const p = { x: Math.round(spot.x + rel.x - box.x), y: Math.round(spot.y + rel.y - box.y) };
      result.set(node.id, p);
      occupied.add({ ...p, width: node.width, height: node.height });
    }
  }
  return result;
}
