import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['30m', 1_800],
    ['1h30m', 5_400],
    ['2d', 172_800],
  ])('%s → %i s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'soon', '5 m', '10x', 'm5', '1h-2m'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());
});
