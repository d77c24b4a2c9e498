import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, median, percentile, sortedCopy, summarize } from './stats';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100·n)', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
  });

  it('never interpolates: small samples return real observations', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([7], 1)).toBe(7);
  });

  it('rejects an empty sample and out-of-range p', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 101)).toThrow(/range/);
    expect(() => percentile([1], Number.NaN)).toThrow(/range/);
  });
});

describe('summarize', () => {
  it('sorts its input without changing it', () => {
    const values = [5, -1, 3, 100, 0];
    const summary = summarize(values);
    expect(values).toEqual([5, -1, 3, 100, 0]);
    expect(summary).toEqual({ count: 5, min: -1, mean: 21.4, p50: 3, p95: 100, p99: 100, max: 100 });
  });

  it('handles a long tail: p99 sees the outlier only when it is ≥ 1% of the sample', () => {
    const values = [...Array.from({ length: 990 }, () => 1), ...Array.from({ length: 10 }, () => 500)];
    expect(summarize(values).p99).toBe(1);
    expect(summarize([...values, 500]).p99).toBe(500);
    expect(summarize(values).max).toBe(500);
  });

  it('rejects an empty sample', () => {
    expect(() => summarize([])).toThrow(/empty/);
  });
});

describe('helpers', () => {
  it('median and sortedCopy', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(sortedCopy([3, 1, 2])).toEqual([1, 2, 3]);
    expect(sortedCopy([10, 9, 100])).toEqual([9, 10, 100]);
  });

  it('formats milliseconds and bytes', () => {
    expect(formatMs(0.123)).toBe('0.12');
    expect(formatMs(-0.5)).toBe('-0.50');
    expect(formatMs(51.26)).toBe('51.3');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});
