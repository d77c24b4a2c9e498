'use client';

import { useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import { boundsOf, overlaps, type Rect } from '@/lib/model/topology/positions';
import { SIZES } from '@/lib/model/topology/layout-input';
import { around, beginPicture, covers, followViewport, MARGIN, placePicture, SETTLE_MS, viewportOf, withinStretch, type Picture } from './canvas-picture';
import { EDGE_TONE_VARS, opaqueCanvas } from './canvas-theme';
import { toneOf } from './edge-paint';
import type { EdgeTone, MapEdge, MapNode } from './flow';

/**
 * Zoomed far out on a big map, nodes are a few pixels wide: their DOM (one transformed layer each,
 * text, SVG edges) costs hundreds of milliseconds a frame in software rendering and shows nothing
 * readable. There, the map is drawn on one canvas instead — status-coloured boxes, edges coloured
 * by errors, group names — redrawn on each viewport change, while React Flow's nodes and edges are
 * hidden (CSS `.is-overview`). Zooming in brings the real nodes back.
 */

const STATUS_VARS: Record<string, string> = { passing: '--passing', warning: '--warning', critical: '--critical', unknown: '--unknown' };

function statusOf(node: MapNode): string {
  return node.type === 'frame' ? 'unknown' : node.data.status;
}

/**
 * `text`, cut short with an ellipsis when wider than `room` (at least one character is kept). A
 * binary search: cutting a character at a time measured each label up to its length in text.
 */
function fitLabel(target: CanvasRenderingContext2D, text: string, room: number): string {
  if (target.measureText(text).width <= room) return text;
  let fits = 1;
  let tooLong = text.length;
  while (tooLong - fits > 1) {
    const middle = (fits + tooLong) >> 1;
    if (target.measureText(`${text.slice(0, middle)}…`).width <= room) fits = middle;
    else tooLong = middle;
  }
  return `${text.slice(0, fits)}…`;
}

export interface OverviewCanvasProps {
  active: boolean;
  /** The zoom from which the map draws its nodes instead, once a gesture rests. */
  nodesFrom: number;
  nodes: MapNode[];
  edges: MapEdge[];
  rects: ReadonlyMap<string, Rect>;
  selected: string;
  /** Topology ids matching the search, or null. */
  dimOthers: boolean;
  /** Colours are read from the theme's CSS variables: a theme change repaints. */
  colorMode: string;
}

export function OverviewCanvas({ active, nodesFrom, nodes, edges, rects, selected, dimOthers, colorMode }: OverviewCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    const element = canvas.current;
    if (!active || !element) return;
    const canvasTools = opaqueCanvas(element);
    if (!canvasTools) return;
    const { context, ratio, colour } = canvasTools;

    const bounds = boundsOf([...rects.values(), ...nodes.filter((node) => node.type === 'frame').map((node) => ({ ...node.position, width: node.width ?? 0, height: node.height ?? 0 }))]);
    const byTone = new Map<EdgeTone, MapEdge[]>();
    for (const edge of edges) {
      const tone = toneOf(edge);
      const group = byTone.get(tone);
      if (group) group.push(edge);
      else byTone.set(tone, [edge]);
    }

    /** The whole map at zoom k, in flow coordinates (the caller sets the transform). */
    const paint = (target: CanvasRenderingContext2D, k: number, view?: Rect): void => {
      const unseen = (rect: Rect): boolean => view !== undefined && !overlaps(rect, view);
      // Edges, batched by colour: one path per tone.
      for (const [tone, list] of byTone) {
        target.beginPath();
        for (const edge of list) {
          const from = rects.get(edge.source);
          const to = rects.get(edge.target);
          if (!from || !to) continue;
          const sx = from.x + from.width;
          const sy = from.y + from.height / 2;
          const ex = to.x;
          const ey = to.y + to.height / 2;
          // A part of the map: a line whose box misses it would only be clipped, after the cost of stroking it.
          if (view && unseen({ x: Math.min(sx, ex), y: Math.min(sy, ey), width: Math.abs(ex - sx), height: Math.abs(ey - sy) })) continue;
          // Straight: from far out, curves with horizontal tangents turn every backward call into a loop.
          target.moveTo(sx, sy);
          target.lineTo(ex, ey);
        }
        target.strokeStyle = colour(EDGE_TONE_VARS[tone]);
        target.globalAlpha = dimOthers ? 0.15 : tone === 'idle' ? 0.45 : 0.8;
        target.lineWidth = (tone === 'critical' || tone === 'warning' ? 2 : 1) / k;
        target.stroke();
      }
      // Group frames behind their members.
      target.globalAlpha = 1;
      for (const node of nodes) {
        if (node.type !== 'frame') continue;
        target.strokeStyle = colour('--border-strong');
        target.lineWidth = 1.5 / k;
        target.strokeRect(node.position.x, node.position.y, node.width ?? 0, node.height ?? 0);
      }
      // Nodes: boxes in their status colour; the origin ringed, the selection outlined.
      for (const node of nodes) {
        if (node.type === 'frame') continue;
        const rect = rects.get(node.id);
        if (!rect || unseen(rect)) continue;
        const dim = dimOthers && !(node.className ?? '').includes('is-match');
        target.globalAlpha = dim ? 0.2 : 1;
        target.fillStyle = colour(STATUS_VARS[statusOf(node)] ?? '--unknown');
        target.fillRect(rect.x, rect.y, rect.width, rect.height);
        if (node.type !== 'cluster' && node.data.origin) {
          target.strokeStyle = colour('--critical');
          target.lineWidth = 4 / k;
          target.strokeRect(rect.x - 6 / k, rect.y - 6 / k, rect.width + 12 / k, rect.height + 12 / k);
        }
        if (node.id === selected) {
          target.strokeStyle = colour('--accent');
          target.lineWidth = 3 / k;
          target.strokeRect(rect.x - 3 / k, rect.y - 3 / k, rect.width + 6 / k, rect.height + 6 / k);
        }
      }
      // Names, at a constant 11 px on screen: groups' and frames' always, nodes' once their box is wide enough to hold some.
      target.globalAlpha = 1;
      target.fillStyle = colour('--text-strong');
      target.font = `600 ${12 / k}px system-ui, sans-serif`;
      target.textBaseline = 'bottom';
      for (const node of nodes) {
        if (node.type === 'cluster') target.fillText(node.data.key, node.position.x, node.position.y - 3 / k);
        else if (node.type === 'frame') target.fillText(node.data.key, node.position.x + 4 / k, node.position.y - 3 / k);
      }
      if (k * SIZES.service.width >= 64) {
        target.font = `500 ${11 / k}px system-ui, sans-serif`;
        target.textBaseline = 'middle';
        for (const node of nodes) {
          if (node.type === 'frame' || node.type === 'cluster') continue;
          const rect = rects.get(node.id);
          if (!rect || unseen(rect)) continue;
          const label = fitLabel(target, node.data.name, rect.width - 10 / k);
          target.fillStyle = colour('--bg');
          target.globalAlpha = 0.9;
          target.fillText(label, rect.x + 5 / k, rect.y + rect.height / 2);
        }
      }
    };

    // A picture (canvas-picture.ts) of the whole map where it fits on one canvas, so that a pan
    // at one zoom only moves it. A picture the zoom has stretched too far, or a map too big for
    // one canvas, is painted for the view and a margin around it only: painting the whole map at
    // a close zoom (a canvas thousands of pixels wide) cost 150–300 ms a time.
    const PAD = 32;
    const MAX_SIDE = 8_192;
    let painted: (Picture & { whole: boolean }) | null = null;
    let settle: ReturnType<typeof setTimeout> | undefined;

    /** Paints `area` (flow coordinates) at zoom k; unless it is the whole map, nodes outside it are left out. */
    const paintArea = (k: number, area: Rect, whole: boolean): void => {
      beginPicture(element, context, ratio, colour('--bg'), k, area);
      paint(context, k, whole ? undefined : area);
      painted = { k, area, whole };
    };

    const draw = (): void => {
      const viewport = viewportOf(store);
      if (!viewport) return;
      const { tx, ty, k, view } = viewport;
      const stretch = painted ? k / painted.k : 1;
      // A picture of the whole map is usable however little of the view it covers: around the map
      // there is only background, which the container already shows. (Fitted, the map is smaller
      // than the view: requiring it to cover the view repainted the whole map every frame.)
      if (!painted || !withinStretch(painted, k) || !(painted.whole || covers(painted.area, view))) {
        const w = bounds ? Math.ceil(bounds.width * k) + 2 * PAD : 0;
        const h = bounds ? Math.ceil(bounds.height * k) + 2 * PAD : 0;
        // Zooming in, the view only shrinks: no margin is needed, and a quarter of the pixels are painted.
        const part = around(view, stretch > 1 ? 0 : MARGIN);
        // At rest the whole map, if it fits (pans then only move it); while zooming, whichever is smaller.
        const zooming = painted !== null && stretch !== 1;
        const whole = bounds !== undefined && w * ratio <= MAX_SIDE && h * ratio <= MAX_SIDE && (!zooming || w * h <= part.width * part.height * k * k);
        if (bounds && whole) paintArea(k, { x: bounds.x - PAD / k, y: bounds.y - PAD / k, width: w / k, height: h / k }, true);
        else paintArea(k, part, false);
      }
      if (!painted || !placePicture(element, tx, ty, k, painted)) return;
      clearTimeout(settle);
      settle = setTimeout(() => {
        // Zoomed in this far, the map is about to show its nodes instead (TopologyCanvas switches
        // once the gesture rests): a sharp picture would be thrown away unseen.
        if (store.getState().transform[2] >= nodesFrom) return;
        painted = null;
        draw();
      }, SETTLE_MS);
    };

    const stopFollowing = followViewport(store, draw);
    return () => {
      stopFollowing();
      clearTimeout(settle);
    };
  }, [active, nodesFrom, store, nodes, edges, rects, selected, dimOthers, colorMode]);

  return (
    <div className={`toverview${active ? '' : ' is-hidden'}`} aria-hidden="true">
      <canvas ref={canvas} className="toverview__canvas" />
    </div>
  );
}
