import { describe, expect, it } from 'vitest';
import { nextArrivalMs, sampleLatencyMs, seededRandom } from './latency';

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
};

describe('sampleLatencyMs', () => {
  it('is log-normal around the median with a long tail', () => {
    const random = seededRandom(7);
    const samples = Array.from({ length: 20_000 }, () => sampleLatencyMs({ medianMs: 10, sigma: 0.6 }, random));
    expect(quantile(samples, 0.5)).toBeGreaterThan(9);
    expect(quantile(samples, 0.5)).toBeLessThan(11);
    // e^(2.326·0.6) ≈ 4.04: p99 about four times the median.
    expect(quantile(samples, 0.99) / quantile(samples, 0.5)).toBeGreaterThan(3.5);
    expect(quantile(samples, 0.99) / quantile(samples, 0.5)).toBeLessThan(4.6);
    expect(Math.min(...samples)).toBeGreaterThan(0);
  });

  it('survives a generator that returns 0', () => {
    expect(Number.isFinite(sampleLatencyMs({ medianMs: 5, sigma: 1 }, () => 0))).toBe(true);
  });
});

describe('nextArrivalMs', () => {
  it('averages 1000/rate milliseconds', () => {
    const random = seededRandom(3);
    const gaps = Array.from({ length: 20_000 }, () => nextArrivalMs(20, random));
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    expect(mean).toBeGreaterThan(47);
    expect(mean).toBeLessThan(53);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
