import { clampLatency, type WeightedValue } from './histogram';

/**
 * Weighted values packed four numbers each — value, weight, lower, upper (NaN: no bucket) — one
 * entry a distinct value, in increasing order of value, every value clamped into the sketchable
 * range: a report as ingest, OTLP and probes hand it to the slots (`shapes.ts` splits it into its
 * shape and weights).
 */
export type PackedValues = readonly number[];
export const PACKED_STRIDE = 4;

/** Puts one value into a packed array under construction: a new entry, or merged into the last when it has the same value. */
function put(packed: number[], value: number, weight: number, lower: number, upper: number): void {
  const bounded = !Number.isNaN(lower) && !Number.isNaN(upper);
  const last = packed.length - PACKED_STRIDE;
  if (last < 0 || packed[last] !== value) {
    packed.push(value, weight, bounded ? lower : NaN, bounded ? upper : NaN);
    return;
  }
  // Two buckets around one value are interpolated over both; a plain value has no range.
  packed[last + 1] = (packed[last + 1] as number) + weight;
  const foundLower = packed[last + 2] as number;
  const both = bounded && !Number.isNaN(foundLower);
  packed[last + 2] = both ? Math.min(foundLower, lower) : NaN;
  packed[last + 3] = both ? Math.max(packed[last + 3] as number, upper) : NaN;
}

/** Values in any order (repeats allowed) as one packed entry a distinct clamped value, weights summed. */
export function packValues(values: readonly WeightedValue[]): number[] {
  const sorted = values.map((v) => ({ ...v, value: clampLatency(v.value) })).sort((a, b) => a.value - b.value);
  const packed: number[] = [];
  for (const { value, weight, lower = NaN, upper = NaN } of sorted) put(packed, value, weight, lower, upper);
  return packed;
}

/**
 * A reporter's fixed-bucket histogram packed: each bucket with calls as its midpoint carrying its
 * bounds (interpolated within by `valueQuantiles`), the overflow bucket as its lower bound (all we
 * know is "at least this"), without an object a bucket.
 */
export function packBuckets(bounds: readonly number[], counts: readonly number[]): number[] {
  const packed: number[] = [];
  for (let i = 0; i < counts.length; i += 1) {
    const weight = counts[i] as number;
    if (weight <= 0) continue;
    const upper = bounds[i];
    const lower = i === 0 ? 0 : (bounds[i - 1] as number);
    // lower + half the width, not (lower + upper) / 2: the sum of two large bounds overflows to Infinity.
    if (upper === undefined) put(packed, clampLatency(lower), weight, NaN, NaN);
    else put(packed, clampLatency(lower + (upper - lower) / 2), weight, lower, upper);
    // Increasing bounds give increasing midpoints; rounding or clamping can make two equal (merged
    // by `put`), but never decreasing ones.
  }
  return packed;
}
