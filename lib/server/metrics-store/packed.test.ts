import { describe, expect, it } from 'vitest';
import { addInPlace, mergedCopy, missingEntries, packBuckets, packValues, PACKED_STRIDE, unpack } from './packed';

/** Merges reports into a slot's packed values as `Slots` does: in place when nothing is new, else an exact-size copy. */
function mergeAll(reports: Array<{ packed: number[]; scale: number }>): number[] {
  let slot: number[] = [];
  for (const { packed, scale } of reports) {
    const missing = missingEntries(slot, packed);
    if (missing === 0) addInPlace(slot, packed, scale);
    else slot = mergedCopy(slot, packed, scale, slot.length / PACKED_STRIDE + missing);
  }
  return slot;
}

describe('packed values', () => {
  it('packs a histogram as bucketed midpoints in increasing order, the overflow as its lower bound, empty buckets left out', () => {
    expect(unpack(packBuckets([10, 50, 100], [3, 0, 2, 1]))).toEqual([
      { value: 5, weight: 3, lower: 0, upper: 10 },
      { value: 75, weight: 2, lower: 50, upper: 100 },
      { value: 100, weight: 1 },
    ]);
  });

  it('merges buckets whose midpoints round to one value into one entry spanning both', () => {
    // Three consecutive doubles around an even one: both half-way points round to it (ties to even).
    const low = 1 + Number.EPSILON;
    const middle = low + Number.EPSILON;
    const high = middle + Number.EPSILON;
    expect(unpack(packBuckets([low, middle, high], [0, 2, 3, 0]))).toEqual([{ value: middle, weight: 5, lower: low, upper: high }]);
  });

  it('adds a report in a layout the slot holds by position, in the same array, with no new entry', () => {
    const bounds = [1, 2, 5, 10];
    const slot = mergeAll([{ packed: packBuckets(bounds, [1, 2, 3, 4, 5]), scale: 1 }]);
    const before = slot;
    expect(missingEntries(slot, packBuckets(bounds, [0, 7, 0, 1, 0]))).toBe(0);
    addInPlace(slot, packBuckets(bounds, [0, 7, 0, 1, 0]), 0.5);
    expect(slot).toBe(before);
    expect(unpack(slot).map((v) => v.weight)).toEqual([1, 2 + 3.5, 3, 4 + 0.5, 5]);
  });

  it('merges any sequence of reports to what packing all their values at once gives', () => {
    const layouts = [[1, 2, 5, 10], [2, 5, 20], [0.5, 1, 50, 100, 3_600_000]];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const reports = Array.from({ length: 200 }, () => {
      const bounds = layouts[Math.floor(random() * layouts.length)] as number[];
      const counts = Array.from({ length: bounds.length + 1 }, () => (random() < 0.3 ? 0 : Math.floor(random() * 100)));
      return { packed: packBuckets(bounds, counts), scale: [1, 0.2, 1 / 3][Math.floor(random() * 3)] as number };
    });
    const merged = unpack(mergeAll(reports));
    const atOnce = unpack(packValues(reports.flatMap(({ packed, scale }) => unpack(packed, scale))));
    expect(merged.map(({ value, lower, upper }) => ({ value, lower, upper }))).toEqual(atOnce.map(({ value, lower, upper }) => ({ value, lower, upper })));
    merged.forEach((value, i) => expect(value.weight).toBeCloseTo(atOnce[i]?.weight ?? NaN, 6));
    // Exact size: one entry a distinct value, no spare room.
    expect(mergeAll(reports)).toHaveLength(atOnce.length * PACKED_STRIDE);
  });

  it('keeps an entry without a range once any report gave its value none', () => {
    const slot = mergeAll([
      { packed: packValues([{ value: 10, weight: 1, lower: 5, upper: 15 }]), scale: 1 },
      { packed: packValues([{ value: 10, weight: 1 }]), scale: 1 },
    ]);
    expect(unpack(slot)).toEqual([{ value: 10, weight: 2 }]);
  });
});
