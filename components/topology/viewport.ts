import type { Rect } from '@/lib/model/topology/positions';

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
/** What the minimap (bottom right, 200 × 150 and a 15 px margin) and the zoom controls (bottom left) cover. */
export const MINIMAP_BOX = { width: 220, height: 170 };
export const CONTROLS_BOX = { width: 56, height: 110 };
/** Reserved when the tightly fitted map would run under the minimap or the controls. */
export const RESERVED_PADDING: Padding = { top: 28, right: MINIMAP_BOX.width + 16, bottom: 20, left: CONTROLS_BOX.width + 8 };

function fitWith(bounds: Rect, width: number, height: number, padding: Padding, minZoom: number, maxZoom: number): Viewport {
  const room = { width: Math.max(1, width - padding.left - padding.right), height: Math.max(1, height - padding.top - padding.bottom) };
  const zoom = Math.min(maxZoom, Math.max(minZoom, Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height))));
  return {
    x: padding.left + (room.width - bounds.width * zoom) / 2 - bounds.x * zoom,
    y: padding.top + (room.height - bounds.height * zoom) / 2 - bounds.y * zoom,
    zoom,
  };
}

const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * The viewport showing `rects` as large as the canvas allows. Tight margins first; when that puts a
 * node under the minimap or the zoom controls (`withOverlays`; phones hide the minimap), the margins
 * that keep them clear. Only the nodes count, not their bounding box: a wide, shallow map fitted
 * tightly leaves the minimap's corner empty.
 */
export function fitViewport(rects: readonly Rect[], width: number, height: number, options: { minZoom: number; maxZoom: number; withOverlays: boolean }): Viewport | null {
  if (rects.length === 0 || width <= 0 || height <= 0) return null;
  const minX = Math.min(...rects.map((r) => r.x));
  const minY = Math.min(...rects.map((r) => r.y));
  const maxX = Math.max(...rects.map((r) => r.x + r.width));
  const maxY = Math.max(...rects.map((r) => r.y + r.height));
  const bounds = { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
  const tight = fitWith(bounds, width, height, TIGHT_PADDING, options.minZoom, options.maxZoom);
  if (!options.withOverlays) return tight;
  const minimap = { x: width - MINIMAP_BOX.width, y: height - MINIMAP_BOX.height, ...MINIMAP_BOX };
  const controls = { x: 0, y: height - CONTROLS_BOX.height, ...CONTROLS_BOX };
  const covered = rects.some((r) => {
    const onScreen = { x: r.x * tight.zoom + tight.x, y: r.y * tight.zoom + tight.y, width: r.width * tight.zoom, height: r.height * tight.zoom };
    return overlaps(onScreen, minimap) || overlaps(onScreen, controls);
  });
  return covered ? fitWith(bounds, width, height, RESERVED_PADDING, options.minZoom, options.maxZoom) : tight;
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
