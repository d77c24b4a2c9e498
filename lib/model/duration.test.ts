import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration';

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [45_000, '45 s'],
    [200_000, '3 min 20 s'],
    [180_000, '3 min'],
    [7_500_000, '2 h 5 min'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59_000, '3 d 4 h'],
    [-1, '—'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
