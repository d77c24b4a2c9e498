'use client';

import { useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import { boundsOf, overlaps, type Rect } from '@/lib/model/topology-positions';
import { SIZES } from '@/lib/model/topology-layout-input';
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

/** How long the zoom must rest before the map-sized canvas is painted again. */
const SETTLE_MS = 150;

const STATUS_VARS: Record<string, string> = { passing: '--passing', warning: '--warning', critical: '--critical', unknown: '--unknown' };

function statusOf(node: MapNode): string {
  return node.type === 'frame' ? 'unknown' : node.data.status;
}

export interface OverviewCanvasProps {
  active: boolean;
  nodes: MapNode[];
  edges: MapEdge[];
  rects: ReadonlyMap<string, Rect>;
  selected: string;
  /** Topology ids matching the search, or null. */
  dimOthers: boolean;
  /** Colours are read from the theme's CSS variables: a theme change repaints. */
  colorMode: string;
}

export function OverviewCanvas({ active, nodes, edges, rects, selected, dimOthers, colorMode }: OverviewCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    const element = canvas.current;
    if (!active || !element) return;
    const canvasTools = opaqueCanvas(element);
    if (!canvasTools) return;
    const { context, ratio, colour } = canvasTools;
    let frame = 0;

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
          const room = rect.width - 10 / k;
          let label = node.data.name;
          if (target.measureText(label).width > room) {
            while (label.length > 1 && target.measureText(`${label}…`).width > room) label = label.slice(0, -1);
            label = `${label}…`;
          }
          target.fillStyle = colour('--bg');
          target.globalAlpha = 0.9;
          target.fillText(label, rect.x + 5 / k, rect.y + rect.height / 2);
        }
      }
    };

    // Panning at one zoom only moves the picture: it is painted once per zoom level onto a canvas
    // the size of the whole map, and a pan just moves that canvas (a CSS transform the compositor
    // applies; nothing is repainted or re-rasterised). A map too big for one canvas at this zoom is
    // painted per frame onto a screen-sized canvas instead. While the zoom changes, the picture
    // already painted is stretched (up to MAX_STRETCH either way, as long as it covers the view)
    // and painted sharp again once the zoom rests.
    const PAD = 32;
    const MAX_SIDE = 8_192;
    const MAX_STRETCH = 2;
    /** The last picture: the zoom it was painted at, the flow rectangle it covers, and whether that is the whole map. */
    let painted: { k: number; area: Rect; whole: boolean } | null = null;
    let settle: ReturnType<typeof setTimeout> | undefined;

    const fill = (w: number, h: number): void => {
      if (element.width !== Math.round(w * ratio) || element.height !== Math.round(h * ratio)) {
        element.width = Math.round(w * ratio);
        element.height = Math.round(h * ratio);
      }
      element.style.width = `${w}px`;
      element.style.height = `${h}px`;
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.globalAlpha = 1;
      context.fillStyle = colour('--bg');
      context.fillRect(0, 0, element.width, element.height);
    };

    const draw = (): void => {
      frame = 0;
      const { transform, width, height } = store.getState();
      const [tx, ty, k] = transform;
      const view = { x: -tx / k, y: -ty / k, width: width / k, height: height / k };
      const w = bounds ? Math.ceil(bounds.width * k) + 2 * PAD : 0;
      const h = bounds ? Math.ceil(bounds.height * k) + 2 * PAD : 0;
      const fitsWhole = bounds !== undefined && w * ratio <= MAX_SIDE && h * ratio <= MAX_SIDE;
      const stretch = painted ? k / painted.k : 1;
      const area = painted?.area;
      const stretchable =
        painted !== null &&
        area !== undefined &&
        stretch !== 1 &&
        stretch >= 1 / MAX_STRETCH &&
        stretch <= MAX_STRETCH &&
        view.x >= area.x &&
        view.y >= area.y &&
        view.x + view.width <= area.x + area.width &&
        view.y + view.height <= area.y + area.height;
      if (painted && stretchable) {
        element.style.transform = `translate(${tx + painted.area.x * k}px, ${ty + painted.area.y * k}px) scale(${stretch})`;
        clearTimeout(settle);
        settle = setTimeout(() => {
          painted = null;
          draw();
        }, SETTLE_MS);
        return;
      }
      if (fitsWhole && bounds) {
        if (!painted?.whole || painted.k !== k) {
          fill(w, h);
          context.setTransform(ratio * k, 0, 0, ratio * k, ratio * (PAD - bounds.x * k), ratio * (PAD - bounds.y * k));
          paint(context, k);
          painted = { k, whole: true, area: { x: bounds.x - PAD / k, y: bounds.y - PAD / k, width: w / k, height: h / k } };
        }
        element.style.transform = `translate(${tx + bounds.x * k - PAD}px, ${ty + bounds.y * k - PAD}px)`;
        return;
      }
      fill(width, height);
      element.style.transform = 'none';
      context.setTransform(ratio * k, 0, 0, ratio * k, ratio * tx, ratio * ty);
      paint(context, k, view);
      painted = { k, whole: false, area: view };
    };

    const schedule = (): void => {
      if (frame === 0) frame = requestAnimationFrame(draw);
    };
    draw();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.transform !== previous.transform || state.width !== previous.width || state.height !== previous.height) schedule();
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
      clearTimeout(settle);
    };
  }, [active, store, nodes, edges, rects, selected, dimOthers, colorMode]);

  return (
    <div className={`toverview${active ? '' : ' is-hidden'}`} aria-hidden="true">
      <canvas ref={canvas} className="toverview__canvas" />
    </div>
  );
}
