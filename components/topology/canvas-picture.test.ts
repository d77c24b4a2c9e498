import { describe, expect, it } from 'vitest';
import { around, covers, MAX_STRETCH, withinStretch } from './canvas-picture';

describe('canvas picture', () => {
  const area = { x: 0, y: 0, width: 100, height: 50 };

  it('covers a view only when the view lies wholly inside the painted area', () => {
    expect(covers(area, { x: 10, y: 10, width: 90, height: 40 })).toBe(true);
    expect(covers(area, { x: 10, y: 10, width: 91, height: 40 })).toBe(false);
    expect(covers(area, { x: -1, y: 0, width: 10, height: 10 })).toBe(false);
  });

  it('stretches a picture up to MAX_STRETCH either way', () => {
    expect(withinStretch({ k: 0.5, area }, 0.5 * MAX_STRETCH)).toBe(true);
    expect(withinStretch({ k: 0.5, area }, 0.5 / MAX_STRETCH)).toBe(true);
    expect(withinStretch({ k: 0.5, area }, 0.5 * MAX_STRETCH * 1.01)).toBe(false);
    expect(withinStretch({ k: 0.5, area }, 0.5 / MAX_STRETCH / 1.01)).toBe(false);
  });

  it('grows a view by a share of its size on each side', () => {
    expect(around(area, 0.5)).toEqual({ x: -50, y: -25, width: 200, height: 100 });
    expect(around(area, 0)).toEqual(area);
  });
});
