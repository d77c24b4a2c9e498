import { DDSketch } from '@datadog/sketches-js';
import { MAX_BOUND_MS, MIN_BOUND_MS } from '@/lib/model/ingest';

/** 2 % relative accuracy: far inside the width of any reporter's histogram bucket. */
export const RELATIVE_ACCURACY = 0.02;

/**
 * Every value goes into a slot clamped to this range (ms): the smallest is the midpoint of the
 * narrowest first bucket ingest accepts, the largest its highest bound. A DDSketch keeps one bin
 * per power of (1+a)/(1-a) between its smallest and largest value, so the range, not the data,
 * caps a sketch: ln(7.2e9) / ln(1.02/0.98) ≈ 567 bins, ~5 KB (the store grows in chunks of 128).
 * Before the clamp, one report spread from 1e-300 to 1e300 made every slot's sketch ~34,560 bins.
 */
export const MIN_VALUE_MS = MIN_BOUND_MS / 2;
export const MAX_VALUE_MS = MAX_BOUND_MS;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
export const MAX_SKETCH_BINS = Math.ceil(Math.log(MAX_VALUE_MS / MIN_VALUE_MS) / Math.log(GAMMA)) + 2;

/** A value as slots keep it: finite and within [MIN_VALUE_MS, MAX_VALUE_MS] (NaN becomes the smallest). */
export function clampLatency(value: number): number {
  if (!(value >= MIN_VALUE_MS)) return MIN_VALUE_MS;
  return value > MAX_VALUE_MS ? MAX_VALUE_MS : value;
}

export const newSketch = (): DDSketch => new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });

/** A weighted value standing for one reporter bucket. */
export interface WeightedValue {
  value: number;
  weight: number;
  /** The bucket's bounds, when it has two: a quantile falling in it is interpolated between them. */
  lower?: number;
  upper?: number;
}

export interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
}

export function quantilesOf(sketch: DDSketch): Quantiles | null {
  if (sketch.count <= 0) return null;
  return {
    p50: sketch.getValueAtQuantile(0.5),
    p95: sketch.getValueAtQuantile(0.95),
    p99: sketch.getValueAtQuantile(0.99),
  };
}

/**
 * Exact weighted quantiles: the value where the cumulative weight first reaches q of the total —
 * within a bucket, interpolated linearly between its bounds as Prometheus's `histogram_quantile`
 * does (calls assumed spread evenly over the bucket), not its midpoint on every screen.
 */
export function valueQuantiles(values: readonly WeightedValue[]): Quantiles | null {
  const total = values.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) return null;
  const sorted = [...values].sort((a, b) => a.value - b.value);
  const at = (q: number): number => {
    const rank = q * total;
    let cumulative = 0;
    for (const { value, weight, lower, upper } of sorted) {
      const before = cumulative;
      cumulative += weight;
      if (cumulative < rank - 1e-9) continue;
      if (lower === undefined || upper === undefined || weight <= 0) return value;
      return lower + (upper - lower) * Math.min(1, Math.max(0, (rank - before) / weight));
    }
    return sorted[sorted.length - 1]?.value ?? 0;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
