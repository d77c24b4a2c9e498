import type { Rect } from '@/lib/model/topology/positions';
import type { EdgeTone, MapEdge } from './flow';

/**
 * Edges of a big map drawn on a canvas instead of one SVG path (and marker, and label) each:
 * zoomed in on 1,000 services, ~700 long edges cross the view, and rasterising their SVG on
 * every frame of a pan cost 50 ms to a second in software rendering. The curves are React Flow's
 * own default (bezier, curvature 0.25, right handle → left handle), so what is drawn here looks
 * like the SVG edges it replaces.
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

/** Whether the curve's control box (which contains the curve) meets `view`. */
export function curveMeets(curve: Curve, view: Rect): boolean {
  const minX = Math.min(curve.sx, curve.c1x, curve.c2x, curve.tx);
  const maxX = Math.max(curve.sx, curve.c1x, curve.c2x, curve.tx);
  const minY = Math.min(curve.sy, curve.ty);
  const maxY = Math.max(curve.sy, curve.ty);
  return maxX >= view.x && minX <= view.x + view.width && maxY >= view.y && minY <= view.y + view.height;
}

export function toneOf(edge: MapEdge): EdgeTone {
  const match = /tflow-edge--(idle|ok|warning|critical)/.exec(edge.className ?? '');
  return (match?.[1] as EdgeTone | undefined) ?? 'ok';
}

const widthOf = (edge: MapEdge): number => (typeof edge.style?.strokeWidth === 'number' ? edge.style.strokeWidth : 1);

export interface EdgeBatch {
  tone: EdgeTone;
  width: number;
  curves: Curve[];
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
    const curve = edgeCurve(from, to);
    if (!curveMeets(curve, view)) continue;
    const tone = toneOf(edge);
    const width = widthOf(edge);
    const key = `${tone}:${width}`;
    const batch = batches.get(key);
    if (batch) batch.curves.push(curve);
    else batches.set(key, { tone, width, curves: [curve] });
    if (typeof edge.label === 'string') {
      const middle = edge.data?.labelX === undefined || edge.data.labelY === undefined ? curvePoint(curve, 0.5) : undefined;
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
    for (const c of batch.curves) {
      target.moveTo(c.sx, c.sy);
      target.bezierCurveTo(c.c1x, c.c1y, c.c2x, c.c2y, c.tx, c.ty);
    }
    target.stroke();
    // Arrowheads (React Flow's closed arrow, 14 px): the curve always arrives horizontally.
    target.setLineDash([]);
    target.fillStyle = colour;
    target.beginPath();
    for (const c of batch.curves) {
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
