import { describe, expect, it } from 'vitest';
import type { Rect } from '@/lib/model/topology/positions';
import { labelSize, labelSpot } from './edge-labels';
import { curvePoint, edgeCurve } from './edge-paint';

const node = (x: number, y: number): Rect => ({ x, y, width: 140, height: 40 });
const coveredBy = (at: { x: number; y: number }, size: { width: number; height: number }, rects: readonly Rect[]): number =>
  rects.reduce((sum, r) => {
    const width = Math.min(at.x + size.width / 2, r.x + r.width) - Math.max(at.x - size.width / 2, r.x);
    const height = Math.min(at.y + size.height / 2, r.y + r.height) - Math.max(at.y - size.height / 2, r.y);
    return sum + (width > 0 && height > 0 ? width * height : 0);
  }, 0);

describe('labelSpot', () => {
  const size = labelSize('19% errors · 1m · clearing');

  it('puts a label in the middle of its curve when nothing is there, as React Flow does', () => {
    const from = node(0, 0);
    const to = node(600, 200);
    const curve = edgeCurve(from, to);
    expect(labelSpot([curve], size, [from, to])).toEqual(curvePoint(curve, 0.5));
  });

  it('moves along the curve off a node lying on its middle', () => {
    const from = node(0, 0);
    const to = node(600, 0);
    const curve = edgeCurve(from, to);
    const inTheWay = { x: 330, y: 0, width: 100, height: 40 };
    const at = labelSpot([curve], size, [from, to, inTheWay]);
    expect(coveredBy(at, size, [from, to, inTheWay])).toBe(0);
    expect(at.y).toBeCloseTo(curve.sy, 6);
  });

  it('between two columns closer than the label is wide, covers less of them than the middle and stays on its edge', () => {
    // The demo's outage map: orders → payments, one column apart and a little lower.
    const from = node(0, 0);
    const to = node(205, 24);
    const curve = edgeCurve(from, to);
    const rects = [from, to];
    const middle = curvePoint(curve, 0.5);
    const at = labelSpot([curve], size, rects);
    expect(coveredBy(at, size, rects)).toBeLessThan(coveredBy(middle, size, rects));
    expect(Math.abs(at.y - curvePoint(curve, 0.5).y)).toBeLessThanOrEqual(size.height + 2 + Math.abs(curve.ty - curve.sy));
  });

  it('estimates a longer text as a wider box', () => {
    expect(labelSize('100% errors · 30s').width).toBeGreaterThan(labelSize('3% errors').width);
    expect(labelSize('x').height).toBe(18);
  });
});
