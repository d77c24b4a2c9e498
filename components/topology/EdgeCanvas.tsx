'use client';

import { useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import type { Rect } from '@/lib/model/topology/positions';
import { edgesInView, paintEdges, type EdgePaintStyle } from './edge-paint';
import { around, beginPicture, covers, followViewport, MARGIN, placePicture, SETTLE_MS, viewportOf, withinStretch, type Picture } from './canvas-picture';
import { EDGE_TONE_VARS, opaqueCanvas } from './canvas-theme';
import type { MapEdge } from './flow';

/**
 * Zoomed in on a big map, the edges are drawn here, on one canvas beneath the nodes, instead of
 * as SVG (see edge-paint.ts for why): a picture of the view plus a margin (canvas-picture.ts).
 */

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

    let painted: Picture | null = null;
    let settle: ReturnType<typeof setTimeout> | undefined;

    const draw = (): void => {
      const viewport = viewportOf(store);
      if (!viewport) return;
      const { tx, ty, k, view } = viewport;
      if (!painted || !withinStretch(painted, k) || !covers(painted.area, view)) {
        const area = around(view, MARGIN);
        beginPicture(element, context, ratio, background, k, area);
        paintEdges(context, edgesInView(edges, rects, area), style);
        painted = { k, area };
      }
      if (!placePicture(element, tx, ty, k, painted)) return;
      clearTimeout(settle);
      settle = setTimeout(() => {
        painted = null;
        draw();
      }, SETTLE_MS);
    };

    const stopFollowing = followViewport(store, draw);
    return () => {
      stopFollowing();
      clearTimeout(settle);
    };
  }, [active, store, edges, rects, alpha, colorMode]);

  return (
    <div className={`tedges${active ? '' : ' is-hidden'}`} aria-hidden="true">
      <canvas ref={canvas} className="tedges__canvas" />
    </div>
  );
}
