import { MAX_BOUND_MS, MAX_BUCKETS, MIN_BOUND_MS } from '../ingest';

/** A histogram as OTLP carries it, in the instrument's own unit. */
export type NativeHistogram =
  | { kind: 'explicit'; bounds: readonly number[]; counts: readonly number[] }
  | { kind: 'exponential'; scale: number; offset: number; counts: readonly number[]; zeroCount: number; zeroThreshold?: number };

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
  return { ...histogram, scale: toScale, offset, counts };
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
    return counts.some((n) => n < 0) ? null : { ...a, counts, zeroCount };
  }
  return null;
}

/** Merges adjacent buckets until at most `MAX_BUCKETS` bounds remain (keeping every k-th bound); the arrays as they are when they fit. */
function fitBounds(bounds: number[], counts: number[]): MsBuckets {
  if (bounds.length <= MAX_BUCKETS) return { bounds, counts };
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

/** What is wrong at index `i`, the first where the fast check of `explicitBucketsProblem` failed. */
function problemAt(bounds: readonly number[], counts: readonly number[], i: number): string {
  const bound = bounds[i];
  const count = counts[i] as number;
  if (bound !== undefined && !Number.isFinite(bound)) return `explicitBounds hold ${bound}, not a finite number`;
  const previous = bounds[i - 1];
  if (bound !== undefined && previous !== undefined && !(bound > previous)) return `explicitBounds are not strictly increasing (${previous} then ${bound})`;
  return `bucketCounts hold ${count}, below zero`;
}

/**
 * Why an explicit-bucket point cannot be read, or undefined: bounds must be finite and strictly
 * increasing (negative ones are allowed: an SDK takes them), counts one more than bounds, none below
 * zero. Every duration point passes here: one plain loop, nothing allocated unless it fails.
 */
export function explicitBucketsProblem(bounds: readonly number[], counts: readonly number[]): string | undefined {
  const last = bounds.length;
  if (counts.length !== last + 1) return `bucketCounts has ${counts.length} entries for ${last} explicitBounds (needs ${last + 1})`;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < last; i += 1) {
    const bound = bounds[i] as number;
    // NaN fails `>`; -Infinity fails it first, +Infinity the second test.
    if (!(bound > previous) || bound === Number.POSITIVE_INFINITY || (counts[i] as number) < 0) return problemAt(bounds, counts, i);
    previous = bound;
  }
  return (counts[last] as number) < 0 ? problemAt(bounds, counts, last) : undefined;
}

/** Why an exponential point cannot be read, or undefined: no count below zero (OTLP JSON can write one). */
export function exponentialBucketsProblem(zeroCount: number, counts: readonly number[]): string | undefined {
  if (zeroCount < 0) return `zeroCount is ${zeroCount}, below zero`;
  for (let i = 0; i < counts.length; i += 1) if ((counts[i] as number) < 0) return `positive bucketCounts hold ${counts[i]}, below zero`;
  return undefined;
}

/**
 * Increasing bounds (`bounds[i] × msPerUnit` in ms; ±Infinity allowed) and their counts, held to what
 * the series can chart, 1 µs … 1 h, in one pass. Buckets ending at or below 1 µs (those at or below
 * 0 s took no time) share the smallest bucket. A bucket reaching past 1 h is open: the series cannot
 * bound it, and closing it at 1 h made up latencies (10 calls of 5 s in (0.1 s, 1e308 s] read p50
 * 30 min). Its calls and every bucket's above join the overflow, which the store reads at its lower
 * bound: "at least" the last bound below (1 h when the first calls are in buckets wholly above 1 h).
 */
function heldBuckets(bounds: readonly number[], counts: readonly number[], msPerUnit: number): MsBuckets {
  const held: MsBuckets = { bounds: [], counts: [] };
  let i = 0;
  let smallest = 0;
  for (; i < bounds.length && (bounds[i] as number) * msPerUnit <= MIN_BOUND_MS; i += 1) smallest += counts[i] as number;
  if (i > 0) {
    held.bounds.push(MIN_BOUND_MS);
    held.counts.push(smallest);
  }
  for (; i < bounds.length; i += 1) {
    const bound = (bounds[i] as number) * msPerUnit;
    if (bound > MAX_BOUND_MS) break;
    held.bounds.push(bound);
    held.counts.push(counts[i] as number);
  }
  // The open buckets, from i: the first with calls decides what the overflow is at least.
  let first = i;
  while (first < bounds.length && (counts[first] as number) === 0) first += 1;
  if (first > i && held.bounds.at(-1) !== MAX_BOUND_MS) {
    held.bounds.push(MAX_BOUND_MS);
    held.counts.push(0);
  } else if (held.bounds.length === 0) {
    // The first bucket, (−∞, bound past 1 h], has calls: they took at least 0 s.
    held.bounds.push(MIN_BOUND_MS);
    held.counts.push(0);
  }
  let overflow = 0;
  for (let j = first; j < counts.length; j += 1) overflow += counts[j] as number;
  held.counts.push(overflow);
  return held;
}

/**
 * The store's bucket shape, in ms, held to 1 µs … 1 h, what the series can chart (`heldBuckets`:
 * a bucket reaching past 1 h is read as the overflow, at least its lower bound). A duration is never
 * negative, so calls in a bucket entirely at or below 0 s (an explicit one, or the exponential zero
 * bucket, up to its zero threshold) took no time: they go to the smallest bucket, not the first
 * positive one, where they would read up to its bound. Explicit buckets (checked by
 * `explicitBucketsProblem` first) have their bounds scaled by `msPerUnit`; exponential buckets become
 * bounds base^(i+1) with base = 2^(2^-scale), downscaled first so at most `MAX_BUCKETS` remain. Null
 * when nothing fits (no explicit bound above 0 s).
 */
export function toMsBuckets(histogram: NativeHistogram, msPerUnit: number): MsBuckets | null {
  if (histogram.kind === 'explicit') {
    if (!((histogram.bounds.at(-1) ?? 0) > 0)) return null;
    const held = heldBuckets(histogram.bounds, histogram.counts, msPerUnit);
    return fitBounds(held.bounds, held.counts);
  }
  const zeroBucket = histogram.zeroCount > 0 ? 1 : 0;
  let fitted = histogram;
  // One bound per bucket, the lowest bucket's lower bound and the zero bucket's must fit.
  while (fitted.counts.length + 1 + zeroBucket > MAX_BUCKETS) fitted = downscale(fitted, fitted.scale - 1);
  // base^index = 2^(index·2^-scale), computed from the exponent for precision at high scales.
  const boundAt = (index: number): number => 2 ** (index * 2 ** -fitted.scale) * msPerUnit;
  const lowest = boundAt(fitted.offset);
  // The zero bucket holds calls up to the zero threshold (0 by default, or none given: the smallest
  // bucket); one reaching the lowest bucket's lower bound shares the bucket below it.
  const threshold = fitted.zeroThreshold ?? 0;
  const zeroUpper = threshold > 0 ? Math.min(lowest, threshold * msPerUnit) : 0;
  const bounds = zeroBucket && zeroUpper < lowest ? [zeroUpper, lowest] : [lowest];
  const counts = zeroBucket && zeroUpper < lowest ? [fitted.zeroCount, 0] : [fitted.zeroCount];
  fitted.counts.forEach((n, i) => {
    bounds.push(boundAt(fitted.offset + i + 1));
    counts.push(n);
  });
  counts.push(0);
  return heldBuckets(bounds, counts, 1);
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
