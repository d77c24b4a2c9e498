import { describe, expect, it } from 'vitest';
import { otherUnitEffect, otherUnitTileValue, unlistedLine } from './buckets-in-other-unit';
import type { BucketsInOtherUnitHistogram } from '@/lib/model/otlp/buckets-in-other-unit';

const histogram = (over: Partial<BucketsInOtherUnitHistogram>): BucketsInOtherUnitHistogram => ({ service: 'orders', metric: 'http.server.request.duration', unit: 's', smallestPositiveBound: 5, largestBound: 10_000, points: 3, firstAt: 0, lastAt: 0, ...over });

describe('Diagnostics: histograms with buckets in the other unit', () => {
  it('counts the histograms listed on the tile, and says "1,000+" once the list is full and more were sent', () => {
    const two = [histogram({}), histogram({ service: 'billing' })];
    expect(otherUnitTileValue({ histograms: two, cap: 1_000, unlistedPoints: 0 })).toBe('2');
    const full = Array.from({ length: 1_000 }, (_, i) => histogram({ service: `svc-${i}` }));
    expect(otherUnitTileValue({ histograms: full, cap: 1_000, unlistedPoints: 0 })).toBe('1,000');
    expect(otherUnitTileValue({ histograms: full, cap: 1_000, unlistedPoints: 12 })).toBe('1,000+');
    expect(unlistedLine({ histograms: full, cap: 1_000, unlistedPoints: 0 })).toBeUndefined();
    expect(unlistedLine({ histograms: full, cap: 1_000, unlistedPoints: 1_234 })).toBe('The list holds the first 1,000; 1,234 points of histograms not listed came since.');
  });

  it('says what the bounds seen do: the percentiles a seconds histogram reads within its first bucket, the overflow of an ms one', () => {
    expect(otherUnitEffect(histogram({}))).toBe('Buckets 5 … 10,000 s: every call under 5 s shares the first, so p50 reads 2.5 s, p99 4.95 s');
    expect(otherUnitEffect(histogram({ smallestPositiveBound: 1, largestBound: 5_000 }))).toBe('Buckets 1 … 5,000 s: every call under 1 s shares the first, so p50 reads 0.5 s, p99 0.99 s');
    expect(otherUnitEffect(histogram({ unit: 'ms', smallestPositiveBound: 0.005, largestBound: 10 }))).toBe('Buckets up to 10 ms: every call over 10 ms shares the overflow bucket');
  });
});
