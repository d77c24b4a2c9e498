import { describe, expect, it } from 'vitest';
import { MAX_BOUND_MS, MAX_BUCKETS, MIN_BOUND_MS } from '../ingest';
import { downscale, explicitBucketsProblem, exponentialBucketsProblem, looksLikeMilliseconds, looksLikeSeconds, subtract, toMsBuckets, totalOf, type NativeHistogram } from './histogram';

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
  it("scales explicit bounds to ms, the calls of the SDK default's bucket (−∞, 0] in the smallest latency bucket", () => {
    expect(toMsBuckets(explicit([1, 2, 3, 4], [0, 0.005, 0.01]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS, 5, 10], counts: [1, 2, 3, 4] });
  });

  it('puts the calls of buckets entirely at or below 0 s in the smallest latency bucket, not in the first positive one (where they would read up to its bound)', () => {
    expect(toMsBuckets(explicit([1, 2, 3, 4, 5, 6], [-5, -1, 0, 0.1, 1]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS, 100, 1_000], counts: [6, 4, 5, 6] });
    // A bucket reaching above 0 s keeps its calls: they may be positive.
    expect(toMsBuckets(explicit([1, 2, 3], [-1, 0.1]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS, 100], counts: [1, 2, 3] });
  });

  it('reads a bucket reaching past 1 h, which the series cannot bound, as the overflow: at least its lower bound, not closed at 1 h (which made up latencies)', () => {
    // 10 calls of 5 s in (0.1 s, 1e308 s]: "at least 100 ms", not spread over (100 ms, 1 h] (p50 30 min).
    expect(toMsBuckets(explicit([0, 10, 0], [0.1, 1e308]), 1_000)).toEqual({ bounds: [100], counts: [0, 10] });
    expect(toMsBuckets(explicit([1, 2, 3], [0.1, 1e308]), 1_000)).toEqual({ bounds: [100], counts: [1, 5] });
    expect(toMsBuckets(explicit([1, 2, 3, 4], [1e-12, 1e300, 1e308]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS], counts: [1, 9] });
    expect(toMsBuckets(explicit([1, 2, 3], [1e-12, 1e-9]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS], counts: [3, 3] });
    // A bound of exactly 1 h is one the series holds.
    expect(toMsBuckets(explicit([1, 2, 3], [0.1, 3_600]), 1_000)).toEqual({ bounds: [100, MAX_BOUND_MS], counts: [1, 2, 3] });
  });

  it('reads calls only in buckets wholly above 1 h as at least 1 h, and those of a first bucket (−∞, past 1 h] as at least 0', () => {
    expect(toMsBuckets(explicit([1, 0, 3], [0.1, 7_200]), 1_000)).toEqual({ bounds: [100, MAX_BOUND_MS], counts: [1, 0, 3] });
    expect(toMsBuckets(explicit([0, 0, 3], [7_200, 1e300]), 1_000)).toEqual({ bounds: [MAX_BOUND_MS], counts: [0, 3] });
    expect(toMsBuckets(explicit([2, 3], [7_200]), 1_000)).toEqual({ bounds: [MIN_BOUND_MS], counts: [0, 5] });
  });

  it("reads the semantic conventions' seconds buckets as they are, in ms (the bench's SDK points)", () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    const counts = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
    expect(toMsBuckets(explicit(counts, bounds), 1_000)).toEqual({ bounds: bounds.map((b) => b * 1_000), counts });
    expect(toMsBuckets(explicit(counts, bounds.map((b) => b * 1_000)), 1)).toEqual({ bounds: bounds.map((b) => b * 1_000), counts });
  });

  it('merges more than MAX_BUCKETS bounds into MAX_BUCKETS, every call kept', () => {
    const bounds = Array.from({ length: 200 }, (_, i) => (i + 1) * 0.01);
    const held = toMsBuckets(explicit(Array<number>(201).fill(1), bounds), 1_000);
    expect(held?.bounds.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(held?.counts.reduce((a, b) => a + b, 0)).toBe(201);
    expect(held?.bounds.at(-1)).toBeCloseTo(2_000, 9);
  });

  it('has nothing to give without a positive bound', () => {
    expect(toMsBuckets(explicit([1, 2], [0]), 1)).toBeNull();
    expect(toMsBuckets(explicit([3], []), 1)).toBeNull();
  });

  it('turns exponential buckets into bounds base^(index+1), the zero bucket first: calls of 0 s in the smallest latency bucket, not up to the lowest populated bound', () => {
    // Scale 0: base 2; index 3 is (8, 16], index 4 is (16, 32] (seconds).
    expect(toMsBuckets(exponential(0, 3, [5, 6], 2), 1_000)).toEqual({ bounds: [MIN_BOUND_MS, 8_000, 16_000, 32_000], counts: [2, 0, 5, 6, 0] });
    expect(toMsBuckets(exponential(0, 3, [5, 6]), 1_000)).toEqual({ bounds: [8_000, 16_000, 32_000], counts: [0, 5, 6, 0] });
  });

  it('reads exponential buckets reaching past 1 h as the overflow too: at least their lower bound (2^1024 s at scale -10 is Infinity)', () => {
    // Scale -10: index 0 is (1 s, 2^1024 s]: at least 1 s, not spread up to 1 h.
    expect(toMsBuckets(exponential(-10, 0, [5]), 1_000)).toEqual({ bounds: [1_000], counts: [0, 5] });
    expect(toMsBuckets(exponential(-10, 1, [5]), 1_000)).toEqual({ bounds: [MAX_BOUND_MS], counts: [0, 5] });
    expect(toMsBuckets(exponential(-1, 10, [5], 2), 1_000)).toEqual({ bounds: [MIN_BOUND_MS, MAX_BOUND_MS], counts: [2, 0, 5] });
  });

  it("reads the zero bucket's calls as taking up to its zero threshold (0 by default: the smallest bucket), never past the lowest bucket", () => {
    // Scale 0, index 3 is (8 s, 16 s]; a threshold of 0.002 s puts 2 calls in (0, 2 ms].
    expect(toMsBuckets({ ...exponential(0, 3, [5], 2), zeroThreshold: 0.002 }, 1_000)).toEqual({ bounds: [2, 8_000, 16_000], counts: [2, 0, 5, 0] });
    expect(toMsBuckets({ ...exponential(0, 3, [5], 2), zeroThreshold: 1e-9 }, 1_000)).toEqual({ bounds: [MIN_BOUND_MS, 8_000, 16_000], counts: [2, 0, 5, 0] });
    expect(toMsBuckets({ ...exponential(0, 3, [5], 2), zeroThreshold: 100 }, 1_000)).toEqual({ bounds: [8_000, 16_000], counts: [2, 5, 0] });
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

describe('explicitBucketsProblem', () => {
  it('passes bounds that strictly increase, negative ones included, with one count more than bounds, none below zero', () => {
    expect(explicitBucketsProblem([-5, -1, 0, 0.1, 1], [0, 0, 1, 1, 0, 0])).toBeUndefined();
    expect(explicitBucketsProblem([], [4])).toBeUndefined();
  });

  it('names what is wrong: a repeated, decreasing or non-finite bound, a count below zero, a count list of the wrong length', () => {
    expect(explicitBucketsProblem([0.1, 0.1, 1], [1, 0, 0, 0])).toBe('explicitBounds are not strictly increasing (0.1 then 0.1)');
    expect(explicitBucketsProblem([1, 0.5], [1, 0, 0])).toBe('explicitBounds are not strictly increasing (1 then 0.5)');
    expect(explicitBucketsProblem([0.1, Number.NaN, 1], [1, 0, 0, 0])).toBe('explicitBounds hold NaN, not a finite number');
    expect(explicitBucketsProblem([Number.NaN], [1, 0])).toBe('explicitBounds hold NaN, not a finite number');
    expect(explicitBucketsProblem([0.1, Number.POSITIVE_INFINITY], [1, 0, 0])).toBe('explicitBounds hold Infinity, not a finite number');
    expect(explicitBucketsProblem([Number.NEGATIVE_INFINITY, 1], [1, 0, 0])).toBe('explicitBounds hold -Infinity, not a finite number');
    expect(explicitBucketsProblem([0.1, 1], [1, -1, 0])).toBe('bucketCounts hold -1, below zero');
    expect(explicitBucketsProblem([0.1, 1], [1, 0, -2])).toBe('bucketCounts hold -2, below zero');
    expect(explicitBucketsProblem([], [-3])).toBe('bucketCounts hold -3, below zero');
    expect(explicitBucketsProblem([0.1, 1], [1, 0])).toBe('bucketCounts has 2 entries for 2 explicitBounds (needs 3)');
  });
});

describe('exponentialBucketsProblem', () => {
  it('passes counts of zero or more and names a zero count or bucket count below zero', () => {
    expect(exponentialBucketsProblem(0, [1, 0, 2])).toBeUndefined();
    expect(exponentialBucketsProblem(-1, [1])).toBe('zeroCount is -1, below zero');
    expect(exponentialBucketsProblem(0, [1, -4])).toBe('positive bucketCounts hold -4, below zero');
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
