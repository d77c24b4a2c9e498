import { describe, expect, it } from 'vitest';
import { packBuckets, packValues } from './packed';

describe('packed values', () => {
  it('packs a histogram as bucketed midpoints in increasing order, the overflow as its lower bound, empty buckets left out', () => {
    expect(packBuckets([10, 50, 100], [3, 0, 2, 1])).toEqual([5, 3, 0, 10, 75, 2, 50, 100, 100, 1, NaN, NaN]);
  });

  it('merges buckets whose midpoints round to one value into one entry spanning both', () => {
    // Three consecutive doubles around an even one: both half-way points round to it (ties to even).
    const low = 1 + Number.EPSILON;
    const middle = low + Number.EPSILON;
    const high = middle + Number.EPSILON;
    expect(packBuckets([low, middle, high], [0, 2, 3, 0])).toEqual([middle, 5, low, high]);
  });

  it('packs values in any order into one entry a distinct value; a value once given without a range keeps none', () => {
    expect(packValues([{ value: 9, weight: 1 }, { value: 1, weight: 2, lower: 0, upper: 2 }, { value: 9, weight: 3, lower: 8, upper: 10 }])).toEqual([1, 2, 0, 2, 9, 4, NaN, NaN]);
  });
});
