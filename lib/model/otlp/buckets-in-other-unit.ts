/** Duration histograms sent with buckets in the other unit, as the metrics intake lists them and Diagnostics shows them. */

/** A service's duration histogram with buckets in the other unit: what Diagnostics lists, one per service and metric. */
export interface BucketsInOtherUnitHistogram {
  service: string;
  metric: string;
  /** 's' with millisecond bounds, 'ms' with seconds bounds (as last sent). */
  unit: 's' | 'ms';
  smallestPositiveBound: number;
  largestBound: number;
  /** Its data points recorded since it was first seen. */
  points: number;
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
