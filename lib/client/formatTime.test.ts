import { describe, expect, it } from 'vitest';
import { formatAgo } from './formatTime';

describe('formatAgo', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    ['2026-01-01T12:00:03Z', 'just now'],
    ['2026-01-01T11:59:15Z', '45 s ago'],
    ['2026-01-01T11:57:00Z', '3 min ago'],
    ['2026-01-01T09:00:00Z', '3 h ago'],
    ['2025-12-28T12:00:00Z', '4 d ago'],
  ])('%s → %s', (at, expected) => {
    expect(formatAgo(at, now)).toBe(expected);
  });
});
