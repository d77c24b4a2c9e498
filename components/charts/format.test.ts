import { describe, expect, it } from 'vitest';
import { formatMs, formatPercent, formatRps, formatSlotTime, formatTimeTick, niceScale, timeTicks } from './format';

describe('chart formats', () => {
  it.each([
    [0.423, '0.42 ms'],
    [3.21, '3.2 ms'],
    [128.4, '128 ms'],
    [1250, '1.25 s'],
  ])('formatMs(%s) → %s', (ms, text) => expect(formatMs(ms)).toBe(text));

  it('formats rates and percentages with units', () => {
    expect(formatRps(0)).toBe('0 req/s');
    expect(formatRps(0.25)).toBe('0.25 req/s');
    expect(formatRps(1240)).toBe('1,240 req/s');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.00001)).toBe('< 0.01 %');
    expect(formatPercent(0.0123)).toBe('1.23 %');
  });

  it('puts ticks on round minutes inside the window', () => {
    const from = Date.parse('2026-01-01T12:00:30Z');
    const ticks = timeTicks(from, from + 300_000, '5m');
    expect(ticks).toHaveLength(5);
    for (const t of ticks) expect(t % 60_000).toBe(0);
  });
});

describe('niceScale', () => {
  it.each([
    [73, 1, [0, 20, 40, 60, 80]],
    [0.53, 0.01, [0, 0.2, 0.4, 0.6]],
    [0, 0.01, [0, 0.002, 0.004, 0.006, 0.008, 0.01]],
    [2_000.8, 1, [0, 500, 1_000, 1_500, 2_000, 2_500]],
    [4.4, 1, [0, 1, 2, 3, 4, 5]],
  ])('niceScale(%s) → %j', (max, floor, ticks) => {
    expect(niceScale(max, floor).ticks).toEqual(ticks);
  });
});

describe('chart times', () => {
  // The machine's locale (en-US here, where hour12: false wrote "24:05"); local times, as the charts show them.
  it('write the hour after midnight as 00, not 24', () => {
    const afterMidnight = new Date(2026, 11, 7, 0, 5, 9).getTime();
    expect(formatTimeTick(afterMidnight)).toMatch(/^00[:.]05$/);
    expect(formatSlotTime(afterMidnight, '5m')).toMatch(/^00[:.]05[:.]09$/);
  });
});
