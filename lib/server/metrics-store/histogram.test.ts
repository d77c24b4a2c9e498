import { describe, expect, it } from 'vitest';
import { clampLatency, MAX_SKETCH_BINS, MAX_VALUE_MS, MIN_VALUE_MS, newSketch, valueQuantiles, type WeightedValue } from './histogram';
import { packBuckets } from './packed';
import { shapedValues, weightedValues } from './shapes';

const bucketValues = (bounds: number[], counts: number[]): WeightedValue[] => {
  const { shape, weights } = shapedValues(packBuckets(bounds, counts));
  return weightedValues(shape, weights);
};

describe('packBuckets', () => {
  it('represents each bucket by its midpoint and bounds, and the overflow by the last bound', () => {
    expect(bucketValues([10, 50], [3, 0, 2])).toEqual([{ value: 5, weight: 3, lower: 0, upper: 10 }, { value: 50, weight: 2 }]);
  });
});

describe('valueQuantiles', () => {
  it('gives exact weighted quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => ({ value: i + 1, weight: 1 }));
    expect(valueQuantiles(values)).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('honours weights and fractional shares', () => {
    expect(valueQuantiles([{ value: 1, weight: 0.9 }, { value: 1000, weight: 0.1 }])).toEqual({ p50: 1, p95: 1000, p99: 1000 });
  });

  it('interpolates a percentile within its bucket as histogram_quantile does, not the midpoint', () => {
    // 100 calls in (10, 50]: the q-quantile is 10 + 40 q, where the midpoint would say 30 for all.
    const q = valueQuantiles(bucketValues([10, 50, 100], [0, 100, 0, 0]));
    expect(q?.p50).toBeCloseTo(30, 9);
    expect(q?.p95).toBeCloseTo(48, 9);
    expect(q?.p99).toBeCloseTo(49.6, 9);
    // Across buckets: 90 in [0, 10], 10 in (10, 50]: p95 is halfway through the second bucket.
    expect(valueQuantiles(bucketValues([10, 50], [90, 10, 0]))?.p95).toBeCloseTo(30, 9);
    // The overflow bucket has no upper bound: "at least" its lower one, as before.
    expect(valueQuantiles(bucketValues([10], [0, 5]))?.p99).toBe(10);
  });

  it('is null with nothing recorded', () => {
    expect(valueQuantiles([])).toBeNull();
  });
});

describe('hostile bounds', () => {
  it('keeps midpoints finite where the sum of two bounds overflows', () => {
    const values = bucketValues([1e308, 1.7e308], [0, 1, 0]);
    expect(values).toHaveLength(1);
    expect(Number.isFinite(values[0]?.value)).toBe(true);
  });

  it('clamps every value into the sketchable range', () => {
    expect([clampLatency(1e-300), clampLatency(0), clampLatency(Number.NaN), clampLatency(1e300), clampLatency(Infinity), clampLatency(42)]).toEqual([
      MIN_VALUE_MS,
      MIN_VALUE_MS,
      MIN_VALUE_MS,
      MAX_VALUE_MS,
      MAX_VALUE_MS,
      42,
    ]);
  });

  it('bounds a sketch fed the whole clamped range to MAX_SKETCH_BINS (plus one growth chunk)', () => {
    const sketch = newSketch();
    for (let exponent = -300; exponent <= 300; exponent += 1) sketch.accept(clampLatency(10 ** exponent), 1);
    expect(MAX_SKETCH_BINS).toBeLessThan(600);
    expect(sketch.store.length()).toBeLessThanOrEqual(MAX_SKETCH_BINS + 128);
    expect(sketch.negativeStore.length()).toBe(0);
  });
});
