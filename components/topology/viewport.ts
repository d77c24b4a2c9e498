import { boundsOf, overlaps, type Rect } from '@/lib/model/topology/positions';

/**
 * Fitting the map to its canvas, and the level of detail a zoom allows. Pure: the canvas and the
 * view call these with React Flow's sizes.
 */

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Padding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * A fitted map keeps this much room to the canvas' edges: enough for a node's origin mark (10 px
 * above it) and the attribution, no more. The old fit kept 236 px on the right and 72 at the top for
 * the minimap and the notices on every map: the demo's 18 nodes, a wide and shallow layered graph,
 * came out at 0.52× at 1280 px with 60 % of the canvas' height empty.
 */
export const TIGHT_PADDING: Padding = { top: 28, right: 20, bottom: 20, left: 20 };
/** What the zoom controls (bottom left) cover. */
export const CONTROLS_BOX = { width: 56, height: 110 };
/** Reserved when the tightly fitted map would run under the controls. */
export const RESERVED_PADDING: Padding = { ...TIGHT_PADDING, left: CONTROLS_BOX.width + 8 };

function fitWith(bounds: Rect, width: number, height: number, padding: Padding, minZoom: number, maxZoom: number): Viewport {
  const room = { width: Math.max(1, width - padding.left - padding.right), height: Math.max(1, height - padding.top - padding.bottom) };
  const zoom = Math.min(maxZoom, Math.max(minZoom, Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height))));
  return {
    x: padding.left + (room.width - bounds.width * zoom) / 2 - bounds.x * zoom,
    y: padding.top + (room.height - bounds.height * zoom) / 2 - bounds.y * zoom,
    zoom,
  };
}

/**
 * Whether the whole of `bounds` is on a canvas of `width` × `height` at `viewport` (within a pixel).
 * The minimap shows only when it is not: with the whole map in view it repeats the map while
 * covering its bottom-right corner, and a map spread to the canvas' shape (`spreadShallowLayers`)
 * has nodes there — fitted around a 236 px margin kept for it, the demo fleet came out at 0.59× at
 * 1440 px instead of 0.72×.
 */
export function showsWhole(bounds: Rect, viewport: Viewport, width: number, height: number): boolean {
  const left = bounds.x * viewport.zoom + viewport.x;
  const top = bounds.y * viewport.zoom + viewport.y;
  return left >= -1 && top >= -1 && left + bounds.width * viewport.zoom <= width + 1 && top + bounds.height * viewport.zoom <= height + 1;
}

/**
 * The viewport showing `rects` as large as the canvas allows. Tight margins first; when that puts a
 * node under the zoom controls (`withOverlays`; on phones they are out of the way), a margin that
 * keeps them clear. Only the nodes count, not their bounding box: a layered map's first layer is
 * mostly one node in the middle, leaving the controls' corner empty. The minimap needs no room: a
 * fitted map is all in view, and the minimap shows only when it is not (`showsWhole`).
 */
export function fitViewport(rects: readonly Rect[], width: number, height: number, options: { minZoom: number; maxZoom: number; withOverlays: boolean }): Viewport | null {
  const bounds = boundsOf(rects);
  if (!bounds || width <= 0 || height <= 0) return null;
  const tight = fitWith(bounds, width, height, TIGHT_PADDING, options.minZoom, options.maxZoom);
  if (!options.withOverlays) return tight;
  const controls = { x: 0, y: height - CONTROLS_BOX.height, ...CONTROLS_BOX };
  const covered = rects.some((r) => overlaps({ x: r.x * tight.zoom + tight.x, y: r.y * tight.zoom + tight.y, width: r.width * tight.zoom, height: r.height * tight.zoom }, controls));
  return covered ? fitWith(bounds, width, height, RESERVED_PADDING, options.minZoom, options.maxZoom) : tight;
}

export interface CanvasSize {
  width: number;
  height: number;
}

/** A side growing or shrinking by more than this share of what it was redoes the code's last view. */
export const MATERIAL_RESIZE = 0.25;

/**
 * Whether the canvas changed size enough since the code last set the view (`before`) to set it
 * again even though everything it showed is still in view: across the phone breakpoint
 * (`narrowMaxWidth`), or a side changed by more than MATERIAL_RESIZE. A window narrowed to a phone
 * and widened again kept the phone's fit, all in view and a quarter the size a fresh load draws;
 * a notice above the map (~45 px of 700) or the centring note is not material, and refitting for
 * them moved every node under the reader's eyes as an outage began.
 */
export function resizedMaterially(before: CanvasSize, now: CanvasSize, narrowMaxWidth: number): boolean {
  if (before.width <= narrowMaxWidth !== now.width <= narrowMaxWidth) return true;
  const changed = (was: number, is: number): boolean => Math.abs(is - was) > MATERIAL_RESIZE * Math.max(1, was);
  return changed(before.width, now.width) || changed(before.height, now.height);
}

/**
 * Level of detail by the size text reaches on screen, not a fixed zoom. A node's details (instance
 * counts, error chips) and edge labels are 11 px in map units; while they would be under
 * LEGIBLE_PX on screen they are enlarged towards it, up to MAX_TEXT_SCALE (what a node's box holds).
 * Only when even enlarged they would be under MIN_DETAIL_PX are they left out (`far`); names go
 * (`very far`) once the far view's 15 px names are under MIN_NAME_PX.
 */
export const DETAIL_TEXT_PX = 11;
export const LEGIBLE_PX = 9.5;
export const MAX_TEXT_SCALE = 1.3;
export const MIN_DETAIL_PX = 7;
export const FAR_NAME_PX = 15;
export const MIN_NAME_PX = 4.2;
/** Zoomed out below this a big map is drawn by the canvas overview: mounting its nodes costs more than any detail gives. */
export const OVERVIEW_ZOOM = 0.55;

/** 0 close (details shown), 1 far (names only), 2 very far (boxes only). */
export type DetailBand = 0 | 1 | 2;

export function detailBand(zoom: number): DetailBand {
  if (FAR_NAME_PX * zoom < MIN_NAME_PX) return 2;
  return DETAIL_TEXT_PX * MAX_TEXT_SCALE * zoom < MIN_DETAIL_PX ? 1 : 0;
}

/** How much details are enlarged at `zoom`, in steps of 0.05 (so zooming restyles the map a few times, not every frame). */
export function textScale(zoom: number): number {
  if (zoom <= 0) return MAX_TEXT_SCALE;
  const wanted = LEGIBLE_PX / (DETAIL_TEXT_PX * zoom);
  const clamped = Math.min(MAX_TEXT_SCALE, Math.max(1, wanted));
  return Math.round(clamped * 20) / 20;
}
