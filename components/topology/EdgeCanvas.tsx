'use client';

import { useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import type { Rect } from '@/lib/model/topology-positions';
import { edgesInView, paintEdges, type EdgePaintStyle } from './edge-paint';
import { EDGE_TONE_VARS, opaqueCanvas } from './canvas-theme';
import type { MapEdge } from './flow';

/**
 * Zoomed in on a big map, the edges are drawn here, on one canvas beneath the nodes, instead of
 * as SVG (see edge-paint.ts for why). The canvas covers the view plus a margin, so a pan only
 * moves it (a CSS transform) until the view leaves the painted area, and a zoom only stretches
 * it until the zoom rests (or it would stretch more than twofold), when it is painted afresh.
 */

/** Painted beyond the view on each side, as a share of its width and height. */
const MARGIN = 0.5;
/** While zooming, the painted picture is stretched up to this factor either way before it is repainted. */
const MAX_STRETCH = 2;
const SETTLE_MS = 150;

export interface EdgeCanvasProps {
  active: boolean;
  /** The edges to paint (those React Flow does not draw itself). */
  edges: readonly MapEdge[];
  rects: ReadonlyMap<string, Rect>;
  /** Opacity of the edges: lower while a search or a selection is shown. */
  alpha: number;
  /** Colours are read from the theme's CSS variables: a theme change repaints. */
  colorMode: string;
}

export function EdgeCanvas({ active, edges, rects, alpha, colorMode }: EdgeCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    const element = canvas.current;
    if (!active || !element) return;
    // Opaque: it is the map's background.
    const canvasTools = opaqueCanvas(element);
    if (!canvasTools) return;
    const { context, ratio, colour } = canvasTools;
    const colours = new Map(Object.entries(EDGE_TONE_VARS).map(([tone, name]) => [tone, colour(name)]));
    const background = colour('--bg');
    const style: EdgePaintStyle = {
      colour: (tone) => colours.get(tone) ?? '#888',
      labelBackground: colour('--bg-raised'),
      labelText: (tone) => (tone === 'critical' || tone === 'warning' ? (colours.get(tone) ?? '#888') : colour('--text-strong')),
      alpha,
    };

    /** The painted area in flow coordinates, and the zoom it was painted at. */
    let painted: (Rect & { k: number }) | null = null;
    let frame = 0;
    let settle: ReturnType<typeof setTimeout> | undefined;

    const paint = (k: number, area: Rect): void => {
      const w = Math.ceil(area.width * k);
      const h = Math.ceil(area.height * k);
      if (element.width !== Math.round(w * ratio) || element.height !== Math.round(h * ratio)) {
        element.width = Math.round(w * ratio);
        element.height = Math.round(h * ratio);
        element.style.width = `${w}px`;
        element.style.height = `${h}px`;
      }
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.globalAlpha = 1;
      context.fillStyle = background;
      context.fillRect(0, 0, element.width, element.height);
      context.setTransform(ratio * k, 0, 0, ratio * k, -ratio * area.x * k, -ratio * area.y * k);
      paintEdges(context, edgesInView(edges, rects, area), style);
      painted = { ...area, k };
    };

    const draw = (): void => {
      frame = 0;
      const { transform, width, height } = store.getState();
      const [tx, ty, k] = transform;
      if (width === 0 || height === 0) return;
      const view = { x: -tx / k, y: -ty / k, width: width / k, height: height / k };
      const scale = painted ? k / painted.k : 1;
      const covered =
        painted !== null &&
        scale >= 1 / MAX_STRETCH &&
        scale <= MAX_STRETCH &&
        view.x >= painted.x &&
        view.y >= painted.y &&
        view.x + view.width <= painted.x + painted.width &&
        view.y + view.height <= painted.y + painted.height;
      if (!covered) paint(k, { x: view.x - view.width * MARGIN, y: view.y - view.height * MARGIN, width: view.width * (1 + 2 * MARGIN), height: view.height * (1 + 2 * MARGIN) });
      if (!painted) return;
      if (painted.k === k) {
        element.style.transform = `translate(${Math.round(tx + painted.x * k)}px, ${Math.round(ty + painted.y * k)}px)`;
        return;
      }
      // Zooming: the picture already painted is stretched (the compositor's work, no repaint);
      // it is painted sharp again once the zoom has rested.
      element.style.transform = `translate(${tx + painted.x * k}px, ${ty + painted.y * k}px) scale(${k / painted.k})`;
      clearTimeout(settle);
      settle = setTimeout(() => {
        painted = null;
        draw();
      }, SETTLE_MS);
    };

    draw();
    const unsubscribe = store.subscribe((state, previous) => {
      if ((state.transform !== previous.transform || state.width !== previous.width || state.height !== previous.height) && frame === 0) {
        frame = requestAnimationFrame(draw);
      }
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
      clearTimeout(settle);
    };
  }, [active, store, edges, rects, alpha, colorMode]);

  return (
    <div className={`tedges${active ? '' : ' is-hidden'}`} aria-hidden="true">
      <canvas ref={canvas} className="tedges__canvas" />
    </div>
  );
}
