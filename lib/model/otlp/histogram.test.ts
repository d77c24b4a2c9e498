import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS } from '../ingest';
import { downscale, looksLikeMilliseconds, looksLikeSeconds, subtract, toMsBuckets, totalOf, type NativeHistogram } from './histogram';

const explicit = (counts: number[], bounds = [0.01, 0.1, 1]): NativeHistogram => ({ kind: 'explicit', bounds, counts });
const exponential = (scale: number, offset: number, counts: number[], zeroCount = 0): Extract<NativeHistogram, { kind: 'exponential' }> => ({ kind: 'exponential', scale, offset, counts, zeroCount });

describe('subtract', () => {
  it('gives the per-bucket increase of explicit histograms with the same bounds', () => {
    expect(subtract(explicit([5, 3, 1, 0]), explicit([2, 3, 0, 0]))).toEqual(explicit([3, 0, 1, 0]));
  });

  it('calls a decreasing bucket or changed bounds a reset', () => {
    expect(subtract(explicit([1, 3, 1, 0]), explicit([2, 3, 0, 0]))).toBeNull();
    expect(subtract(explicit([5, 3, 1, 0], [1, 2, 3]), explicit([2, 3, 0, 0]))).toBeNull();
  });

  it('subtracts exponential histograms across a scale change by downscaling the finer one', () => {
    // Previous at scale 1: indexes 2,3 (each half of scale-0 index 1); current at scale 0: index 1 holds 7.
    const previous = exponential(1, 2, [2, 3], 1);
    const current = exponential(0, 1, [7, 4], 1);
    expect(subtract(current, previous)).toEqual(exponential(0, 1, [2, 4], 0));
    expect(subtract(exponential(0, 1, [4, 4]), previous)).toBeNull();
  });
});

describe('downscale', () => {
  it('merges pairs of buckets per step, negative indexes included', () => {
    expect(downscale(exponential(3, -3, [1, 1, 1, 1]), 2)).toEqual(exponential(2, -2, [1, 2, 1]));
    expect(totalOf(downscale(exponential(20, 100, [1, 2, 3, 4, 5]), 0))).toBe(15);
  });
});

describe('toMsBuckets', () => {
  it('scales explicit bounds to ms and folds bounds at or below zero into the first bucket', () => {
    expect(toMsBuckets(explicit([1, 2, 3, 4], [0, 0.005, 0.01]), 1_000)).toEqual({ bounds: [5, 10], counts: [3, 3, 4] });
  });

  it('refuses bounds that do not increase or a count list of the wrong length', () => {
    expect(toMsBuckets(explicit([1, 2, 3, 4], [1, 1, 2]), 1)).toBeNull();
    expect(toMsBuckets(explicit([1, 2], [1, 2]), 1)).toBeNull();
  });

  it('turns exponential buckets into bounds base^(index+1), the zero bucket first', () => {
    // Scale 0: base 2; index 3 is (8, 16], index 4 is (16, 32] (seconds).
    expect(toMsBuckets(exponential(0, 3, [5, 6], 2), 1_000)).toEqual({ bounds: [8_000, 16_000, 32_000], counts: [2, 5, 6, 0] });
  });

  it('reads a single-bucket point at scale 20 (an index in the millions)', () => {
    // 20 ms at scale 20: index ⌊log2(20)·2^20⌋.
    const index = Math.floor(Math.log2(20) * 2 ** 20);
    const buckets = toMsBuckets(exponential(20, index, [50]), 1);
    expect(buckets?.counts).toEqual([0, 50, 0]);
    expect(buckets?.bounds[0]).toBeCloseTo(20, 3);
  });

  it('downscales a wide exponential histogram to the accepted bucket count, keeping every count', () => {
    const wide = exponential(8, 0, Array.from({ length: 160 }, (_, i) => i % 7));
    const buckets = toMsBuckets(wide, 1);
    expect(buckets?.bounds.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(buckets?.counts.reduce((a, b) => a + b, 0)).toBe(totalOf(wide));
    expect(buckets?.bounds.every((b, i, all) => i === 0 || b > (all[i - 1] as number))).toBe(true);
  });
});

describe('looksLikeMilliseconds', () => {
  it("calls the SDKs' default bounds (0, 5, 10 … 10000, meant for ms) and other ms-shaped ones up to 5000 or more millisecond-shaped, read as seconds", () => {
    expect(looksLikeMilliseconds([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000])).toBe(true);
    expect(looksLikeMilliseconds([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000])).toBe(true);
  });

  it("does not call seconds bounds so: the conventions' 0.005 … 10, sub-second first bounds, real seconds buckets up to 1200 s (taproot-assets gRPC) or an hour", () => {
    expect(looksLikeMilliseconds([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10])).toBe(false);
    expect(looksLikeMilliseconds([0, 0.5, 1, 5, 10, 60, 300, 1800, 3600, 7200])).toBe(false);
    expect(looksLikeMilliseconds([1, 5, 10, 30, 60, 120, 300, 600, 1200])).toBe(false);
    expect(looksLikeMilliseconds([1, 5, 10, 60, 300, 1800, 3600])).toBe(false);
    expect(looksLikeMilliseconds([])).toBe(false);
    expect(looksLikeMilliseconds([0])).toBe(false);
  });
});

describe('looksLikeSeconds', () => {
  it("calls bounds of 10 or less seconds-shaped, read as ms: the conventions' 0.005 … 10 on a histogram in ms puts every call over 10 ms in the overflow bucket", () => {
    expect(looksLikeSeconds([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10])).toBe(true);
    expect(looksLikeSeconds([0.1, 1, 5])).toBe(true);
  });

  it('does not call millisecond bounds so, nor none', () => {
    expect(looksLikeSeconds([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000])).toBe(false);
    expect(looksLikeSeconds([1, 5, 10, 50])).toBe(false);
    expect(looksLikeSeconds([])).toBe(false);
    expect(looksLikeSeconds([0])).toBe(false);
  });
});
