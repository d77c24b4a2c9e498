import type { useStoreApi } from '@xyflow/react';
import type { Rect } from '@/lib/model/topology/positions';

/**
 * The map's canvases (edges zoomed in, the overview zoomed out) paint a picture of part of the
 * map at one zoom and let the compositor move it under the viewport (a CSS transform): a pan
 * repaints nothing until the view leaves the painted area, and a zoom only stretches the picture
 * (up to MAX_STRETCH either way) until it rests for SETTLE_MS, when it is painted sharp again.
 */

/** Painted beyond the view on each side, as a share of its width and height. */
export const MARGIN = 0.5;
/** While zooming, the picture is stretched up to this factor either way before it is repainted. */
export const MAX_STRETCH = 2;
/** How long the zoom must rest before a stretched picture is painted sharp again. */
export const SETTLE_MS = 150;

/** What was painted: the flow rectangle the canvas covers, at zoom `k`. */
export interface Picture {
  k: number;
  area: Rect;
}

type FlowStore = ReturnType<typeof useStoreApi>;

/** The viewport's transform and the flow rectangle in view; null before the map has a size. */
export function viewportOf(store: FlowStore): { tx: number; ty: number; k: number; view: Rect } | null {
  const { transform, width, height } = store.getState();
  const [tx, ty, k] = transform;
  if (width === 0 || height === 0) return null;
  return { tx, ty, k, view: { x: -tx / k, y: -ty / k, width: width / k, height: height / k } };
}

export const covers = (outer: Rect, inner: Rect): boolean =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

/** Whether a picture painted at `picture.k` may still be stretched to zoom `k`. */
export const withinStretch = (picture: Picture, k: number): boolean => k / picture.k >= 1 / MAX_STRETCH && k / picture.k <= MAX_STRETCH;

/** `view` grown by `margin` of its size on each side. */
export const around = (view: Rect, margin: number): Rect => ({
  x: view.x - view.width * margin,
  y: view.y - view.height * margin,
  width: view.width * (1 + 2 * margin),
  height: view.height * (1 + 2 * margin),
});

/**
 * Sizes the canvas for `area` at zoom `k`, fills it with `background` and leaves the context
 * drawing in flow coordinates, ready for the picture.
 */
export function beginPicture(element: HTMLCanvasElement, context: CanvasRenderingContext2D, ratio: number, background: string, k: number, area: Rect): void {
  const w = Math.ceil(area.width * k);
  const h = Math.ceil(area.height * k);
  if (element.width !== Math.round(w * ratio) || element.height !== Math.round(h * ratio)) {
    element.width = Math.round(w * ratio);
    element.height = Math.round(h * ratio);
  }
  element.style.width = `${w}px`;
  element.style.height = `${h}px`;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.globalAlpha = 1;
  context.fillStyle = background;
  context.fillRect(0, 0, element.width, element.height);
  context.setTransform(ratio * k, 0, 0, ratio * k, -ratio * area.x * k, -ratio * area.y * k);
}

/** Moves the picture under the viewport at zoom `k`, stretched if painted at another; true when stretched. */
export function placePicture(element: HTMLCanvasElement, tx: number, ty: number, k: number, picture: Picture): boolean {
  const scale = k / picture.k;
  // At rest on whole pixels, so the picture stays sharp.
  element.style.transform =
    scale === 1
      ? `translate(${Math.round(tx + picture.area.x * k)}px, ${Math.round(ty + picture.area.y * k)}px)`
      : `translate(${tx + picture.area.x * k}px, ${ty + picture.area.y * k}px) scale(${scale})`;
  return scale !== 1;
}

/** Runs `draw` now and on the next animation frame after each viewport change; returns the cleanup. */
export function followViewport(store: FlowStore, draw: () => void): () => void {
  let frame = 0;
  const run = (): void => {
    frame = 0;
    draw();
  };
  draw();
  const unsubscribe = store.subscribe((state, previous) => {
    if (frame === 0 && (state.transform !== previous.transform || state.width !== previous.width || state.height !== previous.height)) {
      frame = requestAnimationFrame(run);
    }
  });
  return () => {
    unsubscribe();
    cancelAnimationFrame(frame);
  };
}
