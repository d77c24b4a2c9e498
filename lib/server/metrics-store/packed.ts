import { clampLatency, type WeightedValue } from './histogram';

/**
 * Weighted values packed four numbers each — value, weight, lower, upper (NaN: no bucket) — one
 * entry a distinct value, in increasing order of value, every value clamped into the sketchable
 * range. A report is packed once per call and shared by every slot it lands in (never modified);
 * a slot merges reports into its own packed array, adding weights in place while no report brings
 * a value it does not hold yet: reporters' bucket layouts repeat, so after a slot's first few
 * reports a merge is one walk over two short arrays, with no allocation.
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

/** How many of `values`' entries `packed` holds no entry for (both in increasing order). */
export function missingEntries(packed: PackedValues, values: PackedValues): number {
  let missing = 0;
  let at = 0;
  for (let i = 0; i < values.length; i += PACKED_STRIDE) {
    const value = values[i] as number;
    while (at < packed.length && (packed[at] as number) < value) at += PACKED_STRIDE;
    if (at >= packed.length || packed[at] !== value) missing += 1;
  }
  return missing;
}

/** Adds `values` (weights × `weightScale`) into `packed`, which holds an entry for each of them already. */
export function addInPlace(packed: number[], values: PackedValues, weightScale: number): void {
  let at = 0;
  for (let i = 0; i < values.length; i += PACKED_STRIDE) {
    const value = values[i] as number;
    while ((packed[at] as number) < value) at += PACKED_STRIDE;
    packed[at + 1] = (packed[at + 1] as number) + (values[i + 1] as number) * weightScale;
    const lower = values[i + 2] as number;
    const foundLower = packed[at + 2] as number;
    const both = !Number.isNaN(lower) && !Number.isNaN(foundLower);
    packed[at + 2] = both ? Math.min(foundLower, lower) : NaN;
    packed[at + 3] = both ? Math.max(packed[at + 3] as number, values[i + 3] as number) : NaN;
  }
}

/**
 * `packed` and `values` (weights × `weightScale`) merged, as a new array of exactly the size it
 * needs (`entries` of them: an array grown by pushes keeps up to half again as much room).
 */
export function mergedCopy(packed: PackedValues, values: PackedValues, weightScale: number, entries: number): number[] {
  const merged = new Array<number>(entries * PACKED_STRIDE);
  let out = 0;
  let at = 0;
  for (let i = 0; i <= values.length; i += PACKED_STRIDE) {
    // Past the last of `values`, what is left of `packed`.
    const value = i < values.length ? (values[i] as number) : Infinity;
    for (; at < packed.length && (packed[at] as number) < value; at += PACKED_STRIDE, out += PACKED_STRIDE) {
      merged[out] = packed[at] as number;
      merged[out + 1] = packed[at + 1] as number;
      merged[out + 2] = packed[at + 2] as number;
      merged[out + 3] = packed[at + 3] as number;
    }
    if (i === values.length) break;
    let weight = (values[i + 1] as number) * weightScale;
    let lower = values[i + 2] as number;
    let upper = values[i + 3] as number;
    if (at < packed.length && packed[at] === value) {
      weight += packed[at + 1] as number;
      const foundLower = packed[at + 2] as number;
      const both = !Number.isNaN(lower) && !Number.isNaN(foundLower);
      lower = both ? Math.min(foundLower, lower) : NaN;
      upper = both ? Math.max(packed[at + 3] as number, upper) : NaN;
      at += PACKED_STRIDE;
    }
    merged[out] = value;
    merged[out + 1] = weight;
    merged[out + 2] = lower;
    merged[out + 3] = upper;
    out += PACKED_STRIDE;
  }
  return merged;
}

/** A packed array's entries as weighted values (weights × `weightScale`; bounds where they have them). */
export function unpack(packed: PackedValues, weightScale = 1): WeightedValue[] {
  const values: WeightedValue[] = [];
  for (let i = 0; i < packed.length; i += PACKED_STRIDE) {
    const value = packed[i] as number;
    const weight = (packed[i + 1] as number) * weightScale;
    const lower = packed[i + 2] as number;
    values.push(Number.isNaN(lower) ? { value, weight } : { value, weight, lower, upper: packed[i + 3] as number });
  }
  return values;
}
