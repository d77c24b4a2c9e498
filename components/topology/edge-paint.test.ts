import { describe, expect, it } from 'vitest';
import { getBezierPath, Position } from '@xyflow/react';
import { curvePoint, edgeCurve, edgesInView, pathMeets } from './edge-paint';
import type { MapEdge } from './flow';

const box = (x: number, y: number) => ({ x, y, width: 200, height: 56 });

describe('edgeCurve', () => {
  it.each([
    ['forwards', box(0, 0), box(400, 120)],
    ['backwards (a loop)', box(600, 0), box(0, 300)],
    ['straight across', box(0, 50), box(300, 50)],
  ])('draws React Flow\u2019s default bezier %s', (_name, from, to) => {
    const curve = edgeCurve(from, to);
    const [path, labelX, labelY] = getBezierPath({
      sourceX: from.x + from.width,
      sourceY: from.y + from.height / 2,
      sourcePosition: Position.Right,
      targetX: to.x,
      targetY: to.y + to.height / 2,
      targetPosition: Position.Left,
    });
    const numbers = (path.match(/-?[\d.]+/g) ?? []).map(Number);
    expect(numbers).toEqual([curve.sx, curve.sy, curve.c1x, curve.c1y, curve.c2x, curve.c2y, curve.tx, curve.ty].map((n) => expect.closeTo(n, 6)));
    const middle = curvePoint(curve, 0.5);
    expect(middle.x).toBeCloseTo(labelX, 6);
    expect(middle.y).toBeCloseTo(labelY, 6);
  });
});

describe('pathMeets', () => {
  const curve = edgeCurve(box(0, 0), box(1000, 500));
  it.each([
    [{ x: 400, y: 200, width: 100, height: 100 }, true],
    [{ x: -500, y: 0, width: 100, height: 100 }, false],
    [{ x: 400, y: 800, width: 100, height: 100 }, false],
    [{ x: 1100, y: 0, width: 100, height: 100 }, false],
  ])('%o → %s', (view, meets) => expect(pathMeets([curve], view)).toBe(meets));
});

describe('edgesInView', () => {
  const rects = new Map([
    ['n:a', box(0, 0)],
    ['n:b', box(400, 0)],
    ['n:c', box(400, 200)],
    ['n:far', box(5_000, 5_000)],
    ['n:far2', box(5_400, 5_000)],
  ]);
  const edge = (source: string, target: string, tone: string, width: number, label?: string): MapEdge => ({
    id: `${source}→${target}`,
    source,
    target,
    className: `tflow-edge tflow-edge--${tone}`,
    style: { strokeWidth: width },
    ...(label ? { label } : {}),
  });

  it('keeps the edges in view, batched by tone and width, with their labels', () => {
    const painted = edgesInView(
      [edge('n:a', 'n:b', 'ok', 2), edge('n:a', 'n:c', 'ok', 2), edge('n:b', 'n:c', 'critical', 3, '12% errors'), edge('n:far', 'n:far2', 'ok', 2), edge('n:a', 'n:gone', 'ok', 2)],
      rects,
      { x: -100, y: -100, width: 1_000, height: 600 },
    );
    expect(painted.batches.map((batch) => [batch.tone, batch.width, batch.paths.length])).toEqual([
      ['ok', 2, 2],
      ['critical', 3, 1],
    ]);
    expect(painted.labels).toEqual([{ text: '12% errors', tone: 'critical', ...curvePoint(edgeCurve(box(400, 0), box(400, 200)), 0.5) }]);
  });
});
