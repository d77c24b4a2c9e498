import { describe, expect, it } from 'vitest';
import { malformedHistogramsHint } from './malformed-histograms';

describe('Diagnostics: histogram points refused for their buckets', () => {
  it('says what is refused and, once one was, whose and why, a long or control-laden service name cut and escaped', () => {
    expect(malformedHistogramsHint({ points: 0 })).toBe(
      'OTLP histogram points refused since start because their buckets cannot be read: bounds that are not strictly increasing finite numbers, bucket counts not one more than the bounds, or a count below zero. The sender is told why (partial_success)',
    );
    const last = { service: 'orders', metric: 'http.server.request.duration', reason: 'explicitBounds are not strictly increasing (0.1 then 0.1)' };
    expect(malformedHistogramsHint({ points: 3, last })).toMatch(/\(partial_success\)\. Last: orders, http\.server\.request\.duration: explicitBounds are not strictly increasing \(0\.1 then 0\.1\)$/);
    const hint = malformedHistogramsHint({ points: 1, last: { ...last, service: `\u202e${'x'.repeat(500)}` } });
    expect(hint).toContain(`Last: \\u202e${'x'.repeat(63)}…, http.server.request.duration`);
  });
});
