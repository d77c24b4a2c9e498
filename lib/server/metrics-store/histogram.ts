import { DDSketch } from '@datadog/sketches-js';

/** 2 % relative accuracy: far inside the width of any reporter's histogram bucket. */
export const RELATIVE_ACCURACY = 0.02;

export const newSketch = (): DDSketch => new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });

/** A weighted value standing for one reporter bucket. */
export interface WeightedValue {
  value: number;
  weight: number;
}

/**
 * Turns a reporter's fixed-bucket histogram into weighted values: each bucket is represented by its
 * midpoint (so a percentile is off by at most half that bucket's width), the overflow bucket by its
 * lower bound (all we know is "at least this").
 */
export function bucketValues(bounds: readonly number[], counts: readonly number[]): WeightedValue[] {
  const values: WeightedValue[] = [];
  counts.forEach((weight, i) => {
    if (weight <= 0) return;
    const upper = bounds[i];
    const lower = i === 0 ? 0 : (bounds[i - 1] as number);
    values.push({ value: upper === undefined ? lower : (lower + upper) / 2, weight });
  });
  return values;
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

/** Exact weighted quantiles (the value where the cumulative weight first reaches q of the total). */
export function valueQuantiles(values: readonly WeightedValue[]): Quantiles | null {
  const total = values.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) return null;
  const sorted = [...values].sort((a, b) => a.value - b.value);
  const at = (q: number): number => {
    let cumulative = 0;
    for (const { value, weight } of sorted) {
      cumulative += weight;
      if (cumulative >= q * total - 1e-9) return value;
    }
    return sorted[sorted.length - 1]?.value ?? 0;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
