import type { BucketsInOtherUnitHistogram, BucketsInOtherUnitList } from '@/lib/model/otlp/buckets-in-other-unit';

const number = new Intl.NumberFormat('en', { maximumSignificantDigits: 6 });

/** The tile's figure: the histograms listed, "1,000+" once the list is full and others went unlisted. */
export function otherUnitTileValue({ histograms, cap, unlistedPoints }: BucketsInOtherUnitList): string {
  return unlistedPoints > 0 ? `${number.format(cap)}+` : number.format(histograms.length);
}

/** What its bounds do to its percentiles, from the bounds it sent: calls under the first share one bucket (interpolated within it), or calls over the last share the overflow bucket. */
export function otherUnitEffect({ unit, smallestPositiveBound: first, largestBound: last }: BucketsInOtherUnitHistogram): string {
  if (unit === 's') return `Buckets ${number.format(first)} … ${number.format(last)} s: every call under ${number.format(first)} s shares the first, so p50 reads ${number.format(first / 2)} s, p99 ${number.format(first * 0.99)} s`;
  return `Buckets up to ${number.format(last)} ms: every call over ${number.format(last)} ms shares the overflow bucket`;
}

/** The line under the table when histograms went unlisted. */
export function unlistedLine({ cap, unlistedPoints }: BucketsInOtherUnitList): string | undefined {
  if (unlistedPoints === 0) return undefined;
  return `The list holds the first ${number.format(cap)}; ${number.format(unlistedPoints)} points of histograms not listed came since.`;
}
