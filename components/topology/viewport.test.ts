import { describe, expect, it } from 'vitest';
import { boundsOf } from '@/lib/model/topology/positions';
import { DETAIL_TEXT_PX, detailBand, fitViewport, MIN_DETAIL_PX, resizedMaterially, showsWhole, textScale } from './viewport';

/** The demo fleet as the server lays it out: 8 layers of 200 × 56 boxes 90 apart, 1,950 wide and 420 high. */
const demo = Array.from({ length: 8 }, (_, layer) =>
  Array.from({ length: layer === 0 || layer === 7 ? 1 : 3 }, (_, row) => ({ x: layer * 250, y: 180 + (row - 1) * 170 + (layer === 7 ? 180 : 0), width: 200, height: 56 })),
).flat();
const options = { minZoom: 0.02, maxZoom: 1, withOverlays: true };
/** On-screen size of a node's details at a zoom, as enlarged there. */
const detailPx = (zoom: number) => DETAIL_TEXT_PX * textScale(zoom) * zoom;

describe('fitting a small fleet to the canvas', () => {
  it.each([
    [1280, 700],
    [1440, 740],
  ])('at %i px the demo fleet shows its numbers, at a legible size', (width, height) => {
    const view = fitViewport(demo, width, height, options);
    expect(view).not.toBeNull();
    const zoom = view?.zoom ?? 0;
    // The old fit (236 px kept for the minimap, 64 on the left) gave 0.50 at 1280: below the far zoom, numbers hidden.
    expect(zoom).toBeGreaterThan(0.6);
    expect(detailBand(zoom)).toBe(0);
    expect(detailPx(zoom)).toBeGreaterThanOrEqual(9);
  });

  it('keeps the zoom controls clear when a node would run under them', () => {
    // A tall map: its bottom-left node lands in the controls' corner when fitted tightly.
    const tall = [
      { x: 0, y: 600, width: 200, height: 56 },
      { x: 800, y: 0, width: 200, height: 56 },
    ];
    const view = fitViewport(tall, 1280, 700, options);
    const left = 0 * (view?.zoom ?? 0) + (view?.x ?? 0);
    expect(left).toBeGreaterThanOrEqual(56);
    // On a phone the same map takes the whole width.
    const phone = fitViewport(tall, 390, 600, { ...options, withOverlays: false });
    expect(((1000 * (phone?.zoom ?? 0)) / 390) * 100).toBeGreaterThan(85);
  });

  it('fits a map that fills the canvas to the corners, the minimap being hidden while the whole map is in view', () => {
    // The demo fleet spread to the canvas' shape (spreadShallowLayers): its last layer's bottom
    // node is in the minimap's corner. Fitted around a margin for the minimap it came out at 0.59×.
    const spread = [
      { x: 0, y: 400, width: 200, height: 56 },
      { x: 1000, y: 0, width: 200, height: 56 },
      { x: 1800, y: 840, width: 156, height: 64 },
    ];
    const view = fitViewport(spread, 1440, 811, options);
    expect(view?.zoom).toBeCloseTo(1400 / 1956, 3);
    const bounds = boundsOf(spread);
    expect(bounds && view && showsWhole(bounds, view, 1440, 811)).toBe(true);
    // Zoomed in or panned away from the whole, the minimap is back.
    expect(bounds && view && showsWhole(bounds, { ...view, zoom: view.zoom * 1.2 }, 1440, 811)).toBe(false);
    expect(bounds && view && showsWhole(bounds, { ...view, x: view.x - 40 }, 1440, 811)).toBe(false);
    expect(boundsOf([])).toBeUndefined();
  });

  it('never zooms a tiny map past 100 %, and fits nothing to nothing', () => {
    expect(fitViewport([{ x: 0, y: 0, width: 200, height: 56 }], 1440, 740, options)?.zoom).toBe(1);
    expect(fitViewport([], 1440, 740, options)).toBeNull();
  });
});

describe('level of detail by the on-screen size of text', () => {
  it('enlarges details up to 1.3× and leaves them out only when even that is too small to read', () => {
    expect(textScale(1)).toBe(1);
    expect(textScale(0.65)).toBeGreaterThan(1.2);
    expect(textScale(0.2)).toBe(1.3);
    for (const zoom of [0.5, 0.55, 0.6, 0.8, 1, 2]) expect(detailBand(zoom) === 0).toBe(detailPx(zoom) >= MIN_DETAIL_PX);
    expect(detailBand(0.4)).toBe(1);
    expect(detailBand(0.2)).toBe(2);
  });
});

describe('a resize material enough to redo the code\u2019s last view', () => {
  const PHONE = 640;
  it('is one across the phone breakpoint either way, however small', () => {
    expect(resizedMaterially({ width: 640, height: 700 }, { width: 660, height: 700 }, PHONE)).toBe(true);
    expect(resizedMaterially({ width: 660, height: 700 }, { width: 640, height: 700 }, PHONE)).toBe(true);
  });

  it('is one when a side grows or shrinks by more than a quarter: a window widened from 390 px to 1280, or 1440 narrowed to 1000', () => {
    expect(resizedMaterially({ width: 390, height: 610 }, { width: 1280, height: 700 }, PHONE)).toBe(true);
    expect(resizedMaterially({ width: 1440, height: 740 }, { width: 1000, height: 740 }, PHONE)).toBe(true);
    expect(resizedMaterially({ width: 1280, height: 400 }, { width: 1280, height: 700 }, PHONE)).toBe(true);
  });

  it('is none for a notice above the map (45 px of 700) or a window dragged a little wider', () => {
    expect(resizedMaterially({ width: 1280, height: 700 }, { width: 1280, height: 655 }, PHONE)).toBe(false);
    expect(resizedMaterially({ width: 1280, height: 700 }, { width: 1440, height: 700 }, PHONE)).toBe(false);
  });
});
