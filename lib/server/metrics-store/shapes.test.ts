import { describe, expect, it } from 'vitest';
import { valueQuantiles } from './histogram';
import { packBuckets, packValues } from './packed';
import { entryOf, shapedBuckets, shapedValues, unionOf, weightedValues } from './shapes';
import { Slots } from './slots';

const T0 = 1_795_000_000;

describe('shapes', () => {
  it('interns a report\'s shape: the same buckets filled give the same shape, whatever the counts', () => {
    const a = shapedValues(packBuckets([1, 5, 10], [3, 0, 2, 1]));
    const b = shapedValues(packBuckets([1, 5, 10], [7, 0, 9, 4]));
    expect(b.shape).toBe(a.shape);
    expect(b.weights).toEqual([7, 9, 4]);
    expect(shapedValues(packBuckets([1, 5, 10], [7, 1, 9, 4])).shape).not.toBe(a.shape);
  });

  it('gives a histogram the shape and weights packing it would, from a recent call of the same layout too', () => {
    const bounds = [1, 5, 10];
    for (const counts of [[3, 0, 2, 1], [4, 0, 5, 6], [4, 1, 5, 0]]) {
      const packed = shapedValues(packBuckets(bounds, counts));
      const shaped = shapedBuckets([...bounds], counts);
      expect(shaped.shape).toBe(packed.shape);
      expect(shaped.weights).toEqual(packed.weights);
    }
  });

  it('is its own union with a shape within it, and says where each entry of the other goes', () => {
    const all = shapedValues(packBuckets([1, 5, 10], [1, 1, 1, 1])).shape;
    const some = shapedValues(packBuckets([1, 5, 10], [0, 1, 0, 1])).shape;
    const union = unionOf(all, some);
    expect(union.shape).toBe(all);
    expect(Array.from(union.otherAt)).toEqual([1, 3]);
    expect(unionOf(all, some)).toBe(union);
  });

  it('merges two layouts into one entry a distinct value, ranges spanning both where both have one', () => {
    const a = shapedValues(packValues([{ value: 3, weight: 1, lower: 1, upper: 5 }, { value: 10, weight: 1 }])).shape;
    const b = shapedValues(packValues([{ value: 3, weight: 1, lower: 2, upper: 4 }, { value: 7, weight: 1, lower: 5, upper: 9 }])).shape;
    const union = unionOf(a, b);
    expect(weightedValues(union.shape, [1, 2, 3])).toEqual([
      { value: 3, weight: 1, lower: 1, upper: 5 },
      { value: 7, weight: 2, lower: 5, upper: 9 },
      { value: 10, weight: 3 },
    ]);
    expect([Array.from(union.ownAt), Array.from(union.otherAt)]).toEqual([[0, 2], [0, 1]]);
  });

  it('gives a slot fed reports of several layouts the quantiles of all their calls taken at once', () => {
    const layouts = [[1, 2, 5, 10], [2, 5, 20], [0.5, 1, 50, 100, 3_600_000]];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const slots = new Slots(1, 900, 0);
    const all = [];
    for (let report = 0; report < 300; report += 1) {
      const bounds = layouts[Math.floor(random() * layouts.length)] as number[];
      const counts = Array.from({ length: bounds.length + 1 }, () => (random() < 0.3 ? 0 : Math.floor(random() * 100)));
      const scale = [1, 0.2, 1 / 3][Math.floor(random() * 3)] as number;
      const packed = packBuckets(bounds, counts);
      slots.add(T0, 1, 0, shapedValues(packed), scale);
      const { shape, weights } = shapedValues(packed);
      all.push(...weightedValues(shape, weights, scale));
    }
    const atOnce = valueQuantiles(weightedValues(shapedValues(packValues(all)).shape, shapedValues(packValues(all)).weights));
    const point = slots.points(T0, T0 + 1)[0];
    expect(point?.p50Ms).toBeCloseTo(Math.fround(atOnce?.p50 ?? NaN), 4);
    expect(point?.p95Ms).toBeCloseTo(Math.fround(atOnce?.p95 ?? NaN), 4);
    expect(point?.p99Ms).toBeCloseTo(Math.fround(atOnce?.p99 ?? NaN), 4);
  });

  it('finds the entry of a lone value in a shape only when value and bucket both match', () => {
    const shape = shapedBuckets([1, 2, 4, 8, 16], [1, 1, 0, 1, 1, 0]).shape;
    const single = (bounds: number[], counts: number[]) => shapedBuckets(bounds, counts).shape;
    expect(shape.length).toBe(4);
    // The bucket (2, 4] is empty in the shape; (4, 8] is its third entry; (8, 16] its last.
    expect(entryOf(shape, single([2, 4], [0, 1, 0]))).toBe(-1);
    expect(entryOf(shape, single([4, 8], [0, 1, 0]))).toBe(2);
    expect(entryOf(shape, single([8, 16], [0, 1, 0]))).toBe(3);
    expect(entryOf(shape, single([1, 2], [1, 0, 0]))).toBe(0);
    expect(entryOf(shape, single([0.5, 1], [0, 1, 0]))).toBe(-1);
    // The same midpoint from another bucket is another entry.
    expect(entryOf(shape, single([5, 7], [0, 1, 0]))).toBe(-1);
  });

  it('gives a lone call in a bucket (a span) the values packing it gives, made once per bucket', () => {
    const span = shapedBuckets([12.5, 14.2], [0, 1, 0]);
    expect(span).toEqual(shapedValues(packBuckets([12.5, 14.2], [0, 1, 0])));
    expect(shapedBuckets([12.5, 14.2], [0, 1, 0])).toBe(span);
    expect(shapedBuckets([12.5, 14.3], [0, 1, 0]).shape.columns).toEqual(shapedValues(packBuckets([12.5, 14.3], [0, 1, 0])).shape.columns);
  });
});
