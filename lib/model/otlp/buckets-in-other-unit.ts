/** Duration histograms sent with buckets in the other unit, as the metrics intake lists them and Diagnostics shows them. */

/** A reporter's duration histogram sent with bounds in the other unit, in one request, as its first point's bounds show. */
export interface BucketsInOtherUnit {
  service: string;
  metric: string;
  /** The histogram's unit: 's' with millisecond bounds, 'ms' with seconds bounds. */
  unit: 's' | 'ms';
  /** Its data points that were not refused (in the request; since first seen, as listed). */
  points: number;
  /** The calls under it share the first bucket (0 when no bound is positive). */
  smallestPositiveBound: number;
  /** The calls over it share the overflow bucket. */
  largestBound: number;
}

/** One as Diagnostics lists it, one per service and metric: its bounds as last sent. */
export interface BucketsInOtherUnitHistogram extends BucketsInOtherUnit {
  firstAt: number;
  lastAt: number;
}

/** What this process has seen since it started (not carried over a restart, nor shared between replicas). */
export interface BucketsInOtherUnitList {
  /** First seen first, at most `cap`. */
  histograms: BucketsInOtherUnitHistogram[];
  cap: number;
  /** Points of histograms not listed because the list was full. */
  unlistedPoints: number;
}
