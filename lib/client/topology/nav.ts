import type { Rect } from '@/lib/model/topology/positions';

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

export const isArrowKey = (key: string): key is ArrowKey => key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown';

/**
 * Keyboard navigation between nodes: the nearest node whose centre lies in the arrow's direction,
 * within a 45° cone either side, preferring nodes straight ahead (off-axis distance counts double).
 */
export function nearestInDirection(from: string, key: ArrowKey, rects: ReadonlyMap<string, Rect>): string | undefined {
  const origin = rects.get(from);
  if (!origin) return undefined;
  const ox = origin.x + origin.width / 2;
  const oy = origin.y + origin.height / 2;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const [id, rect] of rects) {
    if (id === from) continue;
    const dx = rect.x + rect.width / 2 - ox;
    const dy = rect.y + rect.height / 2 - oy;
    const [ahead, aside] = key === 'ArrowRight' ? [dx, dy] : key === 'ArrowLeft' ? [-dx, dy] : key === 'ArrowDown' ? [dy, dx] : [-dy, dx];
    if (ahead <= 0 || Math.abs(aside) > ahead) continue;
    const score = ahead + 2 * Math.abs(aside);
    if (score < bestScore || (score === bestScore && best !== undefined && id < best)) {
      best = id;
      bestScore = score;
    }
  }
  return best;
}

/** Reading order for Tab: columns (layers) left to right, top to bottom within a column. */
export function readingOrder(a: { x: number; y: number }, b: { x: number; y: number }, column = 120): number {
  const ca = Math.floor(a.x / column);
  const cb = Math.floor(b.x / column);
  return ca - cb || a.y - b.y || a.x - b.x;
}
