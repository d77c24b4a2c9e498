import { MAX_BOUND_MS, MAX_BUCKETS, MIN_BOUND_MS } from '../ingest';

/** A histogram as OTLP carries it, in the instrument's own unit. */
export type NativeHistogram =
  | { kind: 'explicit'; bounds: readonly number[]; counts: readonly number[] }
  | { kind: 'exponential'; scale: number; offset: number; counts: readonly number[]; zeroCount: number };

/** What the metrics store records: `counts` has one more entry than `bounds` (the overflow), bounds in ms. */
export interface MsBuckets {
  bounds: number[];
  counts: number[];
}

export const totalOf = (histogram: NativeHistogram): number =>
  histogram.counts.reduce((sum, n) => sum + n, 0) + (histogram.kind === 'exponential' ? histogram.zeroCount : 0);

/** Index `index` of an exponential histogram at `scale`, seen at the coarser `toScale` (each step halves resolution). */
const downIndex = (index: number, steps: number): number => Math.floor(index / 2 ** steps);

/** Re-buckets an exponential histogram at a coarser scale, as the SDK's merge does (data-model.md). */
export function downscale(histogram: Extract<NativeHistogram, { kind: 'exponential' }>, toScale: number): Extract<NativeHistogram, { kind: 'exponential' }> {
  const steps = histogram.scale - toScale;
  if (steps <= 0 || histogram.counts.length === 0) return { ...histogram, scale: Math.min(histogram.scale, toScale) };
  const offset = downIndex(histogram.offset, steps);
  const last = downIndex(histogram.offset + histogram.counts.length - 1, steps);
  const counts = new Array<number>(last - offset + 1).fill(0);
  histogram.counts.forEach((n, i) => {
    const at = downIndex(histogram.offset + i, steps) - offset;
    counts[at] = (counts[at] ?? 0) + n;
  });
  return { kind: 'exponential', scale: toScale, offset, counts, zeroCount: histogram.zeroCount };
}

/**
 * `current − previous` for two cumulative points of one stream, or null when that is not a
 * difference of counts (a bucket went down, or the bucket layout changed): a reset.
 */
export function subtract(current: NativeHistogram, previous: NativeHistogram): NativeHistogram | null {
  if (current.kind === 'explicit' && previous.kind === 'explicit') {
    if (current.bounds.length !== previous.bounds.length || current.bounds.some((b, i) => b !== previous.bounds[i])) return null;
    const counts = current.counts.map((n, i) => n - (previous.counts[i] ?? 0));
    return counts.some((n) => n < 0) ? null : { kind: 'explicit', bounds: current.bounds, counts };
  }
  if (current.kind === 'exponential' && previous.kind === 'exponential') {
    const scale = Math.min(current.scale, previous.scale);
    const a = downscale(current, scale);
    const b = downscale(previous, scale);
    const zeroCount = a.zeroCount - b.zeroCount;
    if (zeroCount < 0) return null;
    if (b.counts.length > 0 && (b.offset < a.offset || b.offset + b.counts.length > a.offset + a.counts.length)) {
      // The previous point had counts where the current has none: a reset, unless all were zero.
      if (b.counts.some((n, i) => n > 0 && (b.offset + i < a.offset || b.offset + i >= a.offset + a.counts.length))) return null;
    }
    const counts = a.counts.map((n, i) => {
      const j = a.offset + i - b.offset;
      return n - (j >= 0 ? (b.counts[j] ?? 0) : 0);
    });
    return counts.some((n) => n < 0) ? null : { kind: 'exponential', scale, offset: a.offset, counts, zeroCount };
  }
  return null;
}

/** Merges adjacent buckets until at most `MAX_BUCKETS` bounds remain (keeping every k-th bound). */
function fitBounds(bounds: readonly number[], counts: readonly number[]): MsBuckets {
  if (bounds.length <= MAX_BUCKETS) return { bounds: [...bounds], counts: [...counts] };
  const step = Math.ceil(bounds.length / MAX_BUCKETS);
  const fitted: MsBuckets = { bounds: [], counts: [] };
  let pending = 0;
  bounds.forEach((bound, i) => {
    pending += counts[i] ?? 0;
    if ((i + 1) % step === 0 || i === bounds.length - 1) {
      fitted.bounds.push(bound);
      fitted.counts.push(pending);
      pending = 0;
    }
  });
  fitted.counts.push(counts[bounds.length] ?? 0);
  return fitted;
}

/**
 * Why an explicit-bucket point cannot be read, or undefined: bounds must be finite and strictly
 * increasing (negative ones are allowed: an SDK takes them), counts one more than bounds, none below zero.
 */
export function explicitBucketsProblem(bounds: readonly number[], counts: readonly number[]): string | undefined {
  if (counts.length !== bounds.length + 1) return `bucketCounts has ${counts.length} entries for ${bounds.length} explicitBounds (needs ${bounds.length + 1})`;
  for (let i = 0; i < bounds.length; i += 1) {
    const bound = bounds[i] as number;
    if (!Number.isFinite(bound)) return `explicitBounds hold ${bound}, not a finite number`;
    const previous = bounds[i - 1];
    if (previous !== undefined && !(bound > previous)) return `explicitBounds are not strictly increasing (${previous} then ${bound})`;
  }
  const negative = counts.find((count) => count < 0);
  return negative === undefined ? undefined : `bucketCounts hold ${negative}, below zero`;
}

/** A bound in ms within what the series holds (ingest's range, `MIN_BOUND_MS` … `MAX_BOUND_MS`); one at or below 0 becomes the smallest. */
const heldBound = (ms: number): number => Math.min(MAX_BOUND_MS, Math.max(MIN_BOUND_MS, ms));

/**
 * Increasing ms bounds (±Infinity allowed) and their counts, held to what the series can chart:
 * bounds at or below 1 µs share the smallest bucket; a bound past 1 h ends its bucket at 1 h, and
 * buckets wholly above join the overflow, which the series reads at its top.
 */
function heldBuckets(msBounds: readonly number[], counts: readonly number[]): MsBuckets {
  const held: MsBuckets = { bounds: [], counts: [] };
  let overflow = counts[msBounds.length] ?? 0;
  msBounds.forEach((bound, i) => {
    const n = counts[i] ?? 0;
    const upper = heldBound(bound);
    const last = held.bounds.at(-1);
    if (last === MAX_BOUND_MS) overflow += n;
    else if (last === upper) held.counts[held.counts.length - 1] = (held.counts.at(-1) ?? 0) + n;
    else {
      held.bounds.push(upper);
      held.counts.push(n);
    }
  });
  held.counts.push(overflow);
  return held;
}

/**
 * The store's bucket shape, in ms, held to 1 µs … 1 h, what the series can chart (`heldBuckets`):
 * 1e308 s became Infinity ms and the percentiles null. A duration is never negative, so calls in a
 * bucket entirely at or below 0 s (an explicit one, or the exponential zero bucket) took no time:
 * they go to the smallest bucket, not the first positive one, where they would read up to its bound.
 * Explicit buckets (checked by `explicitBucketsProblem` first) have their bounds scaled by
 * `msPerUnit`; exponential buckets become bounds base^(i+1) with base = 2^(2^-scale), downscaled
 * first so at most `MAX_BUCKETS` remain. Null when nothing fits (no explicit bound above 0 s).
 */
export function toMsBuckets(histogram: NativeHistogram, msPerUnit: number): MsBuckets | null {
  if (histogram.kind === 'explicit') {
    if (!((histogram.bounds.at(-1) ?? 0) > 0)) return null;
    const held = heldBuckets(histogram.bounds.map((bound) => bound * msPerUnit), histogram.counts);
    return fitBounds(held.bounds, held.counts);
  }
  const zeroBucket = histogram.zeroCount > 0 ? 1 : 0;
  let fitted = histogram;
  // One bound per bucket, the lowest bucket's lower bound and the zero bucket's must fit.
  while (fitted.counts.length + 1 + zeroBucket > MAX_BUCKETS) fitted = downscale(fitted, fitted.scale - 1);
  // base^index = 2^(index·2^-scale), computed from the exponent for precision at high scales.
  const boundAt = (index: number): number => 2 ** (index * 2 ** -fitted.scale) * msPerUnit;
  const bounds = zeroBucket ? [MIN_BOUND_MS, boundAt(fitted.offset)] : [boundAt(fitted.offset)];
  const counts = zeroBucket ? [fitted.zeroCount, 0] : [0];
  fitted.counts.forEach((n, i) => {
    bounds.push(boundAt(fitted.offset + i + 1));
    counts.push(n);
  });
  counts.push(0);
  return heldBuckets(bounds, counts);
}

/**
 * Whether explicit bounds of a histogram in seconds look like milliseconds: the SDKs' default
 * bounds (0, 5, 10 … 10000) are meant for ms, and a seconds instrument created without the
 * conventions' advised buckets gets them, so every call under 5 s lands in the first bucket.
 * A first positive bound of 1 or more and a largest of 5000 or more: real seconds buckets for
 * calls stop well short of 5000 s (1200 s for taproot-assets' gRPC, an hour for long streams).
 * Sorted bounds: the first positive one and the last decide, a read or two whatever their number.
 */
export function looksLikeMilliseconds(bounds: readonly number[]): boolean {
  const largest = bounds.at(-1);
  if (largest === undefined || largest < 5_000) return false;
  const smallestPositive = bounds.find((bound) => bound > 0);
  return smallestPositive !== undefined && smallestPositive >= 1;
}

/**
 * Whether explicit bounds of a histogram in milliseconds look like seconds (the conventions'
 * 0.005 … 10 on an instrument in ms): a largest bound of 10 or less, so every call over 10 ms
 * lands in the overflow bucket. Sorted bounds: the last decides.
 */
export function looksLikeSeconds(bounds: readonly number[]): boolean {
  const largest = bounds.at(-1);
  return largest !== undefined && largest > 0 && largest <= 10;
}
