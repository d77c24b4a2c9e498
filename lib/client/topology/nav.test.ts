import { describe, expect, it } from 'vitest';
import { nearestInDirection, readingOrder, type ArrowKey } from './nav';

const rect = (x: number, y: number) => ({ x, y, width: 100, height: 40 });
//        up
// left  mid  right  far-right
//        down
const rects = new Map([
  ['mid', rect(200, 200)],
  ['left', rect(0, 210)],
  ['right', rect(400, 190)],
  ['far-right', rect(800, 200)],
  ['up', rect(210, 0)],
  ['down', rect(190, 400)],
  ['diagonal', rect(420, 500)],
]);

describe('nearestInDirection', () => {
  it.each<[string, ArrowKey, string | undefined]>([
    ['mid', 'ArrowRight', 'right'],
    ['mid', 'ArrowLeft', 'left'],
    ['mid', 'ArrowUp', 'up'],
    ['mid', 'ArrowDown', 'down'],
    ['right', 'ArrowRight', 'far-right'],
    ['far-right', 'ArrowRight', undefined],
    ['left', 'ArrowLeft', undefined],
    ['unknown', 'ArrowLeft', undefined],
  ])('from %s, %s → %s', (from, key, expected) => {
    expect(nearestInDirection(from, key, rects)).toBe(expected);
  });
});

describe('readingOrder', () => {
  it('sorts by column, then top to bottom', () => {
    const points = [
      { id: 'b', x: 300, y: 0 },
      { id: 'a2', x: 10, y: 100 },
      { id: 'a1', x: 0, y: 50 },
    ];
    expect(points.sort(readingOrder).map((p) => p.id)).toEqual(['a1', 'a2', 'b']);
  });
});
