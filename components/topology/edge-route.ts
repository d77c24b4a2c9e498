import type { Point } from '@/lib/model/topology/layout';
import type { Rect } from '@/lib/model/topology/positions';
import { curvePoint, edgeCurve, type Curve } from './edge-paint';

/**
 * Where an edge is drawn. React Flow's bezier from the caller's right side to the callee's left
 * side ignores what lies between: an edge skipping layers ran behind unrelated nodes, and on the
 * demo's outage map api-gateway → auth passed through the likely origin's corner, reading as a
 * call it does not have. An edge whose curve crosses a node that is neither of its ends is drawn
 * instead through the gaps of the columns of nodes in its way: level through each column, an S
 * between columns (where a layered layout has no nodes), arriving at its target horizontally as
 * the bezier does, so arrowheads and handles stay as they were.
 *
 * Cost, per edge, is a walk along its curve testing the few nodes of a 256 px grid cell at each
 * step; only edges that cross something look at the nodes around them. Only maps up to
 * MAX_ROUTED_NODES are routed. Routes depend on positions
 * alone (`RouteMemo` in flow.ts keeps them until a node moves). Drawn in the browser from whatever
 * positions there are — the server's layout, a newcomer placed without ELK, a drag — so no route
 * has to travel with a layout or be kept in step with it (ELK's own bend points would be wrong as
 * soon as `spreadShallowLayers` moved the nodes apart, or a newcomer arrived, or a node was dragged).
 */

/** Cubic segments end to end; the first starts at the source's right handle, the last ends at the target's left one. */
export type EdgePath = readonly Curve[];

/**
 * Maps routed: up to the size from which the map draws its edges on a canvas (TopologyCanvas'
 * `big`: 300 nodes, 600 edges). Routing a map costs ~40 ms at 300 nodes and 700 edges (Node, one
 * core of the dev machine), but 90–200 ms at 1,000–1,500 folded into tall sub-columns, where nearly
 * every edge crosses something; bigger maps keep the plain curves and their cost.
 */
export const MAX_ROUTED_NODES = 300;
export const MAX_ROUTED_EDGES = 600;

/** Kept between a detour and the nodes it passes. */
export const CLEARANCE = 14;
/** How far above and below its ends a detour looks for nodes in its way (beyond, it is taken to be clear, and checked). */
const BAND = 600;
/** Distance between the points tested along a path: a box is at least 56 px tall and 156 px wide, so a crossing is rarely missed. */
const STEP = 8;
/** How much a detour prefers staying near the straight curve to moving up or down less (both in px). */
const NEAR_CURVE = 0.3;

const CELL = 256;
const cellKey = (cx: number, cy: number): number => cx * 1_048_576 + cy;

/**
 * A box the grid can index and a route can go round: within a million map units of the origin and
 * at most 4,096 across. Stored positions may be any finite number (a browser's saved layout), and
 * the grid walks every cell a box spans: one at x = 1e20 never left the loop.
 */
const ROUTABLE_EXTENT = 1_000_000;
const ROUTABLE_SIZE = 4_096;
export const routable = (box: Rect): boolean =>
  Math.abs(box.x) <= ROUTABLE_EXTENT && Math.abs(box.y) <= ROUTABLE_EXTENT && box.width >= 0 && box.height >= 0 && box.width <= ROUTABLE_SIZE && box.height <= ROUTABLE_SIZE;

/** Node boxes by 256 px cell: the boxes near a point or an area without testing them all. */
export class BoxIndex {
  private readonly cells = new Map<number, Rect[]>();

  constructor(boxes: Iterable<Rect>) {
    for (const box of boxes) {
      if (!routable(box)) continue;
      for (let cx = Math.floor(box.x / CELL); cx <= Math.floor((box.x + box.width) / CELL); cx += 1) {
        for (let cy = Math.floor(box.y / CELL); cy <= Math.floor((box.y + box.height) / CELL); cy += 1) {
          const key = cellKey(cx, cy);
          const list = this.cells.get(key);
          if (list) list.push(box);
          else this.cells.set(key, [box]);
        }
      }
    }
  }

  at(x: number, y: number): readonly Rect[] {
    return this.cells.get(cellKey(Math.floor(x / CELL), Math.floor(y / CELL))) ?? [];
  }

  within(area: Rect): Rect[] {
    const found = new Set<Rect>();
    for (let cx = Math.floor(area.x / CELL); cx <= Math.floor((area.x + area.width) / CELL); cx += 1) {
      for (let cy = Math.floor(area.y / CELL); cy <= Math.floor((area.y + area.height) / CELL); cy += 1) {
        for (const box of this.cells.get(cellKey(cx, cy)) ?? []) found.add(box);
      }
    }
    return [...found];
  }
}

const segmentLength = (c: Curve): number => {
  const chord = Math.hypot(c.tx - c.sx, c.ty - c.sy);
  const polygon = Math.hypot(c.c1x - c.sx, c.c1y - c.sy) + Math.hypot(c.c2x - c.c1x, c.c2y - c.c1y) + Math.hypot(c.tx - c.c2x, c.ty - c.c2y);
  return (chord + polygon) / 2;
};

/** The nodes a path passes through, other than `ends` (its source and target); with `first`, at most one (whether it crosses any). */
export function crossedBoxes(path: EdgePath, index: BoxIndex, ends: readonly Rect[], first = false): Set<Rect> {
  const crossed = new Set<Rect>();
  const [from, to] = ends;
  for (const segment of path) {
    const steps = Math.max(2, Math.ceil(segmentLength(segment) / STEP));
    for (let i = 1; i < steps; i += 1) {
      const p = curvePoint(segment, i / steps);
      for (const box of index.at(p.x, p.y)) {
        if (box === from || box === to || !(p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height)) continue;
        crossed.add(box);
        if (first) return crossed;
      }
    }
  }
  return crossed;
}

/** The curve's y where it is at `x` (a forward curve's x only grows along it). */
function curveYAt(curve: Curve, x: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 20; i += 1) {
    const middle = (low + high) / 2;
    if (curvePoint(curve, middle).x < x) low = middle;
    else high = middle;
  }
  return curvePoint(curve, (low + high) / 2).y;
}

const line = (a: Point, b: Point): Curve => ({ sx: a.x, sy: a.y, c1x: a.x + (b.x - a.x) / 3, c1y: a.y, c2x: a.x + ((b.x - a.x) * 2) / 3, c2y: b.y, tx: b.x, ty: b.y });
/** From `a` to `b`, leaving and arriving horizontally (React Flow's bezier between two points). */
const ess = (a: Point, b: Point): Curve => ({ sx: a.x, sy: a.y, c1x: (a.x + b.x) / 2, c1y: a.y, c2x: (a.x + b.x) / 2, c2y: b.y, tx: b.x, ty: b.y });

interface Column {
  left: number;
  right: number;
  boxes: Rect[];
}

/**
 * A path from `curve`'s start to its end through the gaps of the columns of nodes between them:
 * the y in each column chosen (over all columns at once) to move up and down least while staying
 * near the curve. Undefined when nothing lies between.
 */
function detour(curve: Curve, index: BoxIndex, ends: readonly Rect[]): Curve[] | undefined {
  const { sx, sy, tx, ty } = curve;
  const top = Math.min(sy, ty) - BAND;
  const bottom = Math.max(sy, ty) + BAND;
  const boxes = index
    .within({ x: sx, y: top, width: tx - sx, height: bottom - top })
    .filter((box) => !ends.includes(box) && box.x + box.width > sx && box.x < tx && box.y + box.height > top && box.y < bottom)
    .sort((a, b) => a.x - b.x);
  if (boxes.length === 0) return undefined;

  const columns: Column[] = [];
  for (const box of boxes) {
    const last = columns[columns.length - 1];
    const left = box.x - CLEARANCE;
    const right = box.x + box.width + CLEARANCE;
    if (last && left <= last.right) {
      last.right = Math.max(last.right, right);
      last.boxes.push(box);
    } else columns.push({ left, right, boxes: [box] });
  }
  for (const column of columns) {
    column.left = Math.max(column.left, sx + 1);
    column.right = Math.min(column.right, tx - 1);
  }

  // Candidate heights per column: in each gap between its nodes, the point nearest the curve, the start and the end.
  const choices = columns.map((column) => {
    const blocked = column.boxes.map((box) => [box.y - CLEARANCE, box.y + box.height + CLEARANCE] as const).sort((a, b) => a[0] - b[0]);
    const gaps: [number, number][] = [];
    let from = -Infinity;
    for (const [low, high] of blocked) {
      if (low > from) gaps.push([from, low]);
      from = Math.max(from, high);
    }
    gaps.push([from, Infinity]);
    const wanted = curveYAt(curve, (column.left + column.right) / 2);
    const ys = new Set<number>();
    for (const [low, high] of gaps) for (const y of [wanted, sy, ty]) ys.add(Math.min(high, Math.max(low, y)));
    return { wanted, ys: [...ys] };
  });

  // Least cost over the columns: moving up or down, plus distance from the curve (back-pointers, no copies).
  let ys = [sy];
  let costs = [0];
  const parents: number[][] = [];
  for (const choice of choices) {
    const nextCosts: number[] = [];
    const links: number[] = [];
    for (const y of choice.ys) {
      let best = 0;
      let bestCost = Infinity;
      for (let i = 0; i < ys.length; i += 1) {
        const cost = (costs[i] ?? 0) + Math.abs(y - (ys[i] ?? 0));
        if (cost < bestCost) {
          best = i;
          bestCost = cost;
        }
      }
      nextCosts.push(bestCost + NEAR_CURVE * Math.abs(y - choice.wanted));
      links.push(best);
    }
    parents.push(links);
    ys = choice.ys;
    costs = nextCosts;
  }
  let end = 0;
  for (let i = 1; i < ys.length; i += 1) if ((costs[i] ?? 0) + Math.abs(ty - (ys[i] ?? 0)) < (costs[end] ?? 0) + Math.abs(ty - (ys[end] ?? 0))) end = i;
  const heights: number[] = new Array<number>(choices.length);
  for (let c = choices.length - 1; c >= 0; c -= 1) {
    heights[c] = choices[c]?.ys[end] ?? sy;
    end = parents[c]?.[end] ?? 0;
  }

  const points: Point[] = [{ x: sx, y: sy }];
  columns.forEach((column, i) => {
    const y = heights[i] ?? sy;
    points.push({ x: column.left, y }, { x: column.right, y });
  });
  points.push({ x: tx, y: ty });
  const segments: Curve[] = [];
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1] as Point;
    const b = points[i] as Point;
    if (b.x - a.x < 0.5 && Math.abs(b.y - a.y) < 0.5) continue;
    segments.push(Math.abs(b.y - a.y) < 0.5 ? line(a, b) : ess(a, b));
  }
  return segments;
}

/**
 * The path an edge from `from` to `to` is drawn along: React Flow's bezier when it crosses no
 * other node (or goes backwards, a loop React Flow draws its own way), else a detour through the
 * gaps between the nodes in its way when that crosses fewer of them.
 */
export function routeEdge(from: Rect, to: Rect, index: BoxIndex): EdgePath {
  const curve = edgeCurve(from, to);
  const direct = [curve];
  if (from === to || !routable(from) || !routable(to) || curve.tx - curve.sx < 2 * CLEARANCE) return direct;
  const ends = [from, to];
  if (crossedBoxes(direct, index, ends, true).size === 0) return direct;
  const around = detour(curve, index, ends);
  if (!around) return direct;
  // Rounded as an edge's data carries it, so what is drawn is what was checked.
  const rounded = unflattenPath(flattenPath(around));
  if (crossedBoxes(rounded, index, ends, true).size === 0) return rounded;
  // Both cross something (rare: nodes overlapping an end, or beyond the band looked at): the one crossing fewer.
  return crossedBoxes(rounded, index, ends).size < crossedBoxes(direct, index, ends).size ? rounded : direct;
}

/** A path as flat numbers (start, then each segment's two control points and end), rounded to 0.1 px: what an edge's data carries. */
export function flattenPath(path: EdgePath): number[] {
  const round = (n: number): number => Math.round(n * 10) / 10;
  const first = path[0];
  if (!first) return [];
  const flat = [round(first.sx), round(first.sy)];
  for (const c of path) flat.push(round(c.c1x), round(c.c1y), round(c.c2x), round(c.c2y), round(c.tx), round(c.ty));
  return flat;
}

export function unflattenPath(flat: readonly number[]): Curve[] {
  const path: Curve[] = [];
  let sx = flat[0] ?? 0;
  let sy = flat[1] ?? 0;
  for (let i = 2; i + 5 < flat.length; i += 6) {
    const [c1x, c1y, c2x, c2y, tx, ty] = flat.slice(i, i + 6) as [number, number, number, number, number, number];
    path.push({ sx, sy, c1x, c1y, c2x, c2y, tx, ty });
    sx = tx;
    sy = ty;
  }
  return path;
}

/** SVG path data for a path. */
export function svgPath(path: EdgePath): string {
  const first = path[0];
  if (!first) return '';
  return `M${first.sx},${first.sy}${path.map((c) => ` C${c.c1x},${c.c1y} ${c.c2x},${c.c2y} ${c.tx},${c.ty}`).join('')}`;
}

/**
 * The path's point at `t` (0: its start, 1: its end), by the segments' approximate lengths; on a
 * one-segment path, the curve's own point at `t` (where React Flow puts a label at 0.5).
 */
export function pathPoint(path: EdgePath, t: number): Point {
  if (path.length === 1 && path[0]) return curvePoint(path[0], t);
  const lengths = path.map(segmentLength);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  let along = t * total;
  for (const [i, segment] of path.entries()) {
    const length = lengths[i] ?? 0;
    if (along <= length || i === path.length - 1) return curvePoint(segment, length > 0 ? Math.min(1, along / length) : 0);
    along -= length;
  }
  return { x: 0, y: 0 };
}

/** Whether a path ends at these handles: a route computed for other positions (a frame behind a drag) is not drawn. */
export function pathJoins(path: EdgePath, sourceX: number, sourceY: number, targetX: number, targetY: number): boolean {
  const first = path[0];
  const last = path[path.length - 1];
  return !!first && !!last && Math.abs(first.sx - sourceX) < 1 && Math.abs(first.sy - sourceY) < 1 && Math.abs(last.tx - targetX) < 1 && Math.abs(last.ty - targetY) < 1;
}

/** An edge's route (`data.route`) as a path, when it joins these handles; undefined for none, or one made for other positions. */
export function joinedRoute(route: readonly number[] | undefined, sourceX: number, sourceY: number, targetX: number, targetY: number): EdgePath | undefined {
  if (!route) return undefined;
  const path = unflattenPath(route);
  return pathJoins(path, sourceX, sourceY, targetX, targetY) ? path : undefined;
}
