import type { Point } from '@/lib/model/topology/layout';
import type { Rect } from '@/lib/model/topology/positions';
import { pathPoint, type EdgePath } from './edge-route';

/** A label's box at detail scale 1 (`.tedge-label`: 650 11px system-ui, 4 px padding each side, 18 px tall), estimated from its length. */
const CHAR_WIDTH = 6.4;
const PADDING = 8;
const HEIGHT = 18;
/** Kept between a label and what it must not cover. */
const GAP = 2;

export const labelSize = (text: string): { width: number; height: number } => ({ width: text.length * CHAR_WIDTH + PADDING, height: HEIGHT });

/**
 * Where along its path (and how far above or below it) a label may sit, in the order they are
 * preferred: the middle first, as React Flow puts it, then nearer either end, then resting on the
 * curve from above or below (never further: a label must stay on its own edge).
 */
const ALONG = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85];
const LIFTS = [0, -1, 1];

function overlapArea(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) + GAP;
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) + GAP;
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * Where an edge's label goes (its centre, flow coordinates): the first spot along its path (the
 * bezier, or the route around nodes in its way, edge-route.ts: the line the reader sees) that
 * covers no node nor a label already placed, else the spot covering least of them. At the curve's
 * middle alone, the label of a short edge between two crowded columns covered the name of the node
 * it points at — on the demo's outage map, the likely origin's.
 */
export function labelSpot(path: EdgePath, size: { width: number; height: number }, obstacles: readonly Rect[]): Point {
  const box = (centre: Point): Rect => ({ x: centre.x - size.width / 2, y: centre.y - size.height / 2, width: size.width, height: size.height });
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const c of path) {
    minX = Math.min(minX, c.sx, c.tx);
    maxX = Math.max(maxX, c.sx, c.tx);
    minY = Math.min(minY, c.sy, c.ty);
    maxY = Math.max(maxY, c.sy, c.ty);
  }
  const reach: Rect = { x: minX - size.width, y: minY - 3 * size.height, width: maxX - minX + 2 * size.width, height: maxY - minY + 6 * size.height };
  const near = obstacles.filter((rect) => overlapArea(rect, reach) > 0);
  let best: { at: Point; covered: number } | undefined;
  for (const lift of LIFTS) {
    for (const t of ALONG) {
      const onCurve = pathPoint(path, t);
      const at = { x: onCurve.x, y: onCurve.y + lift * (size.height + GAP) };
      const label = box(at);
      let covered = 0;
      for (const rect of near) covered += overlapArea(label, rect);
      if (covered === 0) return at;
      if (!best || covered < best.covered) best = { at, covered };
    }
  }
  return best?.at ?? pathPoint(path, 0.5);
}
