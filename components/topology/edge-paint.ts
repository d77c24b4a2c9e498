import type { Rect } from '@/lib/model/topology/positions';
import { joinedRoute, pathPoint, type EdgePath } from './edge-route';
import type { EdgeTone, MapEdge } from './flow';

/**
 * Edges of a big map drawn on a canvas instead of one SVG path (and marker, and label) each:
 * zoomed in on 1,000 services, ~700 long edges cross the view, and rasterising their SVG on
 * every frame of a pan cost 50 ms to a second in software rendering. The curves are React Flow's
 * own default (bezier, curvature 0.25, right handle → left handle), so what is drawn here looks
 * like the SVG edges it replaces; an edge routed around nodes in its way (`data.route`, edge-route.ts)
 * is drawn along its route, as MapEdge draws it.
 */

export interface Curve {
  sx: number;
  sy: number;
  c1x: number;
  c1y: number;
  c2x: number;
  c2y: number;
  tx: number;
  ty: number;
}

const CURVATURE = 0.25;

/** React Flow's `calculateControlOffset`: half the distance forwards, a curvature-scaled loop backwards. */
function controlOffset(distance: number): number {
  return distance >= 0 ? 0.5 * distance : CURVATURE * 25 * Math.sqrt(-distance);
}

/** The bezier React Flow draws from the right middle of `from` to the left middle of `to`. */
export function edgeCurve(from: Rect, to: Rect): Curve {
  const sx = from.x + from.width;
  const sy = from.y + from.height / 2;
  const tx = to.x;
  const ty = to.y + to.height / 2;
  return { sx, sy, c1x: sx + controlOffset(tx - sx), c1y: sy, c2x: tx - controlOffset(tx - sx), c2y: ty, tx, ty };
}

/** The curve's point at `t` (0: its start, 1: its end). */
export function curvePoint(curve: Curve, t: number): { x: number; y: number } {
  const u = 1 - t;
  const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return { x: a * curve.sx + b * curve.c1x + c * curve.c2x + d * curve.tx, y: a * curve.sy + b * curve.c1y + c * curve.c2y + d * curve.ty };
}

/** Whether the segments' control boxes (which contain the path) meet `view`. */
export function pathMeets(path: EdgePath, view: Rect): boolean {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const c of path) {
    minX = Math.min(minX, c.sx, c.c1x, c.c2x, c.tx);
    maxX = Math.max(maxX, c.sx, c.c1x, c.c2x, c.tx);
    minY = Math.min(minY, c.sy, c.c1y, c.c2y, c.ty);
    maxY = Math.max(maxY, c.sy, c.c1y, c.c2y, c.ty);
  }
  return maxX >= view.x && minX <= view.x + view.width && maxY >= view.y && minY <= view.y + view.height;
}

/** Where an edge is drawn: its route (`data.route`) when it joins the nodes' handles, else React Flow's bezier. */
export function edgePath(edge: MapEdge, from: Rect, to: Rect): EdgePath {
  const curve = edgeCurve(from, to);
  return joinedRoute(edge.data?.route, curve.sx, curve.sy, curve.tx, curve.ty) ?? [curve];
}

export function toneOf(edge: MapEdge): EdgeTone {
  const match = /tflow-edge--(idle|ok|warning|critical)/.exec(edge.className ?? '');
  return (match?.[1] as EdgeTone | undefined) ?? 'ok';
}

const widthOf = (edge: MapEdge): number => (typeof edge.style?.strokeWidth === 'number' ? edge.style.strokeWidth : 1);

export interface EdgeBatch {
  tone: EdgeTone;
  width: number;
  /** Each edge's path (one segment, or a route's several). */
  paths: EdgePath[];
}

export interface EdgeLabel {
  text: string;
  tone: EdgeTone;
  x: number;
  y: number;
}

/** The edges meeting `view`, batched by tone and width (one canvas path each), and their labels. */
export function edgesInView(edges: readonly MapEdge[], rects: ReadonlyMap<string, Rect>, view: Rect): { batches: EdgeBatch[]; labels: EdgeLabel[] } {
  const batches = new Map<string, EdgeBatch>();
  const labels: EdgeLabel[] = [];
  for (const edge of edges) {
    const from = rects.get(edge.source);
    const to = rects.get(edge.target);
    if (!from || !to) continue;
    const path = edgePath(edge, from, to);
    if (!pathMeets(path, view)) continue;
    const tone = toneOf(edge);
    const width = widthOf(edge);
    const key = `${tone}:${width}`;
    const batch = batches.get(key);
    if (batch) batch.paths.push(path);
    else batches.set(key, { tone, width, paths: [path] });
    if (typeof edge.label === 'string') {
      const middle = edge.data?.labelX === undefined || edge.data.labelY === undefined ? pathPoint(path, 0.5) : undefined;
      labels.push({ text: edge.label, tone, x: middle?.x ?? edge.data?.labelX ?? 0, y: middle?.y ?? edge.data?.labelY ?? 0 });
    }
  }
  return { batches: [...batches.values()], labels };
}

export interface EdgePaintStyle {
  colour(tone: EdgeTone): string;
  labelBackground: string;
  labelText(tone: EdgeTone): string;
  /** Opacity of every edge (search and selection dim the edges that are not theirs). */
  alpha: number;
}

/**
 * Paints curves, arrowheads and labels. The caller has set the transform to flow coordinates, so
 * widths and dashes scale with the zoom as the SVG strokes they replace do.
 */
export function paintEdges(target: CanvasRenderingContext2D, painted: { batches: EdgeBatch[]; labels: EdgeLabel[] }, style: EdgePaintStyle): void {
  target.lineCap = 'butt';
  for (const batch of painted.batches) {
    const colour = style.colour(batch.tone);
    target.globalAlpha = style.alpha * (batch.tone === 'idle' ? 0.7 : 1);
    target.strokeStyle = colour;
    target.lineWidth = batch.width;
    target.setLineDash(batch.tone === 'critical' ? [8, 4] : []);
    target.beginPath();
    for (const path of batch.paths) {
      const first = path[0];
      if (!first) continue;
      target.moveTo(first.sx, first.sy);
      for (const c of path) target.bezierCurveTo(c.c1x, c.c1y, c.c2x, c.c2y, c.tx, c.ty);
    }
    target.stroke();
    // Arrowheads (React Flow's closed arrow, 14 px): every path arrives horizontally.
    target.setLineDash([]);
    target.fillStyle = colour;
    target.beginPath();
    for (const path of batch.paths) {
      const c = path[path.length - 1];
      if (!c) continue;
      target.moveTo(c.tx, c.ty);
      target.lineTo(c.tx - 7, c.ty - 5.6);
      target.lineTo(c.tx - 7, c.ty + 5.6);
      target.closePath();
    }
    target.fill();
  }
  if (painted.labels.length === 0) return;
  target.globalAlpha = style.alpha;
  target.font = '650 11px system-ui, sans-serif';
  target.textAlign = 'center';
  target.textBaseline = 'middle';
  for (const label of painted.labels) {
    const width = target.measureText(label.text).width + 8;
    target.fillStyle = style.labelBackground;
    target.beginPath();
    target.roundRect(label.x - width / 2, label.y - 9, width, 18, 3);
    target.fill();
    target.fillStyle = style.labelText(label.tone);
    target.fillText(label.text, label.x, label.y);
  }
}
