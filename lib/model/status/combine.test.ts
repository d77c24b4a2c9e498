import { describe, expect, it } from 'vitest';
import { combineStatus, DEFAULT_TRAFFIC_THRESHOLDS as T, errorRateCause, errorVerdict, latencyVerdict, trafficVerdict, type TrafficSignal, type Verdict } from './combine';

const quiet: TrafficSignal = { calls: 300, errors: 0, windowSeconds: 30, p95Ms: 20, baselineP95Ms: 20 };

describe('trafficVerdict', () => {
  it('is critical from 25 % errors over 30 s, naming rate, window and threshold', () => {
    expect(trafficVerdict({ ...quiet, errors: 129 }, T)).toEqual({ status: 'critical', cause: 'error rate 43 % over 30 s (threshold 25 %)', kind: 'error_rate' });
  });

  it('is warning from 5 %, and says nothing below it', () => {
    expect(trafficVerdict({ ...quiet, errors: 16 }, T)).toEqual({ status: 'warning', cause: 'error rate 5.3 % over 30 s (threshold 5.0 %)', kind: 'error_rate' });
    expect(trafficVerdict({ ...quiet, errors: 14 }, T)).toBeNull();
  });

  it('never shows a breach equal to its threshold: more decimals where rounding would, "reached" where it is exactly at it (at or over breaches)', () => {
    expect(trafficVerdict({ ...quiet, errors: 15 }, T)?.cause).toBe('error rate 5.0 % over 30 s (threshold 5.0 % reached)');
    expect(trafficVerdict({ ...quiet, calls: 3_000, errors: 151 }, T)?.cause).toBe('error rate 5.03 % over 30 s (threshold 5.0 %)');
    expect(trafficVerdict({ ...quiet, errors: 76 }, T)?.cause).toBe('error rate 25.3 % over 30 s (threshold 25 %)');
    expect(trafficVerdict({ ...quiet, errors: 75 }, T)?.cause).toBe('error rate 25 % over 30 s (threshold 25 % reached)');
    expect(errorRateCause(0.0501, '30 s', 0.05)).toBe('error rate 5.01 % over 30 s (threshold 5.0 %)');
    expect(errorRateCause(0.0499, 'the last 10 s', 0.05)).toBe('error rate 4.99 % over the last 10 s (threshold 5.0 %)');
    expect(errorRateCause(0.43, '30 s', 0.25)).toBe('error rate 43 % over 30 s (threshold 25 %)');
  });

  it('is over once the last 10 s are clean, though the burst is still in the 30 s window', () => {
    expect(trafficVerdict({ ...quiet, errors: 129, latest: { calls: 100, errors: 0 } }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, errors: 129, latest: { calls: 100, errors: 40 } }, T)?.status).toBe('critical');
    // Too few recent calls to say it is over.
    const critical: Verdict = { status: 'critical', cause: 'error rate 43 % over 30 s (threshold 25 %)', kind: 'error_rate' };
    expect(errorVerdict({ ...quiet, errors: 129, latest: { calls: 3, errors: 0 } }, T, critical)?.status).toBe('critical');
  });

  it('raises nothing new from errors that stopped before the last 10 s (a verdict just cleared came back as a warning)', () => {
    // 10 s after the fix: the last 10 s too few calls to be "clean again", none failing; the window still 12 % failures.
    expect(errorVerdict({ ...quiet, calls: 50, errors: 6, latest: { calls: 5, errors: 0 } }, T)).toBeNull();
    expect(errorVerdict({ ...quiet, calls: 50, errors: 6, latest: { calls: 5, errors: 1 } }, T)?.status).toBe('warning');
    // A verdict held steps down to what the window says while its calls are too few to clear it.
    const critical: Verdict = { status: 'critical', cause: 'error rate 40 % over 30 s (threshold 25 %)', kind: 'error_rate' };
    expect(errorVerdict({ ...quiet, calls: 50, errors: 6, latest: { calls: 5, errors: 0 } }, T, critical)?.status).toBe('warning');
  });

  it('ignores error rates over too few calls: under 10 for critical, under 20 for warning', () => {
    expect(trafficVerdict({ ...quiet, calls: 9, errors: 9 }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, calls: 10, errors: 6 }, T)).toEqual({ status: 'critical', cause: 'error rate 60 % over 30 s (threshold 25 %)', kind: 'error_rate' });
    expect(trafficVerdict({ ...quiet, calls: 19, errors: 2 }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, calls: 20, errors: 2 }, T)?.status).toBe('warning');
  });

  it('keeps a verdict at its level while its calls are too few to judge afresh but still fail at that level’s rate', () => {
    const critical: Verdict = { status: 'critical', cause: 'error rate 40 % over 30 s (threshold 25 %)', kind: 'error_rate' };
    expect(errorVerdict({ ...quiet, calls: 9, errors: 4 }, T)).toBeNull();
    expect(errorVerdict({ ...quiet, calls: 9, errors: 4 }, T, critical)).toEqual({ status: 'critical', cause: 'error rate 44 % over 30 s (threshold 25 %)', kind: 'error_rate' });
    // Under its rate it is over, not turned into a warning the calls are too few for.
    expect(errorVerdict({ ...quiet, calls: 9, errors: 2 }, T, critical)).toBeNull();
    // Clean last 10 s end it as before, and a latency verdict held is no error verdict to keep.
    expect(errorVerdict({ ...quiet, calls: 9, errors: 4, latest: { calls: 7, errors: 0 } }, T, critical)).toBeNull();
    expect(errorVerdict({ ...quiet, calls: 9, errors: 4 }, T, { ...critical, kind: 'latency' })).toBeNull();
    const warning: Verdict = { status: 'warning', cause: 'error rate 10 % over 30 s (threshold 5.0 %)', kind: 'error_rate' };
    expect(errorVerdict({ ...quiet, calls: 15, errors: 2 }, T)).toBeNull();
    expect(errorVerdict({ ...quiet, calls: 15, errors: 2 }, T, warning)?.status).toBe('warning');
  });

  it("is warning when p95 is over 3× the service's usual p95", () => {
    expect(trafficVerdict({ ...quiet, p95Ms: 180 }, T)).toEqual({ status: 'warning', cause: 'p95 180 ms, 9× its usual 20 ms', kind: 'latency' });
    expect(trafficVerdict({ ...quiet, p95Ms: 60 }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, p95Ms: 180, baselineP95Ms: null }, T)).toBeNull();
  });
  it('needs the p95 at least 50 ms over the usual: a fast service a few ms slower is jitter', () => {
    expect(trafficVerdict({ ...quiet, p95Ms: 40, baselineP95Ms: 5 }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, p95Ms: 69, baselineP95Ms: 20 }, T)).toBeNull();
    expect(trafficVerdict({ ...quiet, p95Ms: 70, baselineP95Ms: 20 }, T)).toEqual({ status: 'warning', cause: 'p95 70 ms, 3.5× its usual 20 ms', kind: 'latency' });
  });
  it('needs 50 calls in the window for latency (the p95 of a few calls is their slowest), fewer than for errors', () => {
    expect(latencyVerdict({ calls: 49, p95Ms: 180, baselineP95Ms: 20 }, T)).toBeNull();
    expect(latencyVerdict({ calls: 50, p95Ms: 180, baselineP95Ms: 20 }, T)?.status).toBe('warning');
    expect(trafficVerdict({ ...quiet, calls: 30, errors: 0, p95Ms: 180 }, T)).toBeNull();
  });

  it('holds a latency warning until p95 is back under 2× the usual, on as few as 5 calls', () => {
    const held: Verdict = { status: 'warning', cause: 'p95 180 ms, 9× its usual 20 ms', kind: 'latency' };
    // 2.5×: not slow enough to warn afresh, too slow to end a held warning.
    expect(latencyVerdict({ calls: 60, p95Ms: 250, baselineP95Ms: 100 }, T)).toBeNull();
    expect(latencyVerdict({ calls: 60, p95Ms: 250, baselineP95Ms: 100 }, T, held)).toEqual({ status: 'warning', cause: 'p95 250 ms, 2.5× its usual 100 ms', kind: 'latency' });
    expect(latencyVerdict({ calls: 5, p95Ms: 250, baselineP95Ms: 100 }, T, held)?.status).toBe('warning');
    expect(latencyVerdict({ calls: 4, p95Ms: 250, baselineP95Ms: 100 }, T, held)).toBeNull();
    expect(latencyVerdict({ calls: 60, p95Ms: 200, baselineP95Ms: 100 }, T, held)).toBeNull();
    expect(latencyVerdict({ calls: 0, p95Ms: null, baselineP95Ms: 100 }, T, held)).toBeNull();
    // An error verdict held is no latency verdict held.
    expect(latencyVerdict({ calls: 60, p95Ms: 250, baselineP95Ms: 100 }, T, { status: 'warning', cause: 'error rate 6 %', kind: 'error_rate' })).toBeNull();
  });

  it('honours per-service thresholds', () => {
    expect(trafficVerdict({ ...quiet, errors: 129 }, { ...T, errorCriticalRate: 0.5, errorWarnRate: 0.4 })?.status).toBe('warning');
  });
});

describe('combineStatus', () => {
  const passing = { status: 'passing' as const, cause: 'probe OK', kind: 'probe' as const };
  it('takes the worse verdict with its cause, the probe on a tie', () => {
    const errors = { status: 'critical' as const, cause: 'error rate 43 % over 30 s (threshold 25 %)', kind: 'error_rate' as const };
    expect(combineStatus(passing, errors)).toBe(errors);
    expect(combineStatus({ status: 'critical', cause: 'HTTP 503', kind: 'probe' }, errors).cause).toBe('HTTP 503');
    expect(combineStatus(passing, null)).toBe(passing);
  });
});
