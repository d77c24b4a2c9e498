import { describe, expect, it } from 'vitest';
import type { LatencyPoint } from '@/lib/model/latency';
import { answeredSinceProbeFailed, latencyFigure, probeResultText, recentCallsText, rowProbe } from './probe-figures';

const T = Date.parse('2026-11-21T10:00:00Z');
const probeAt = (t: number, ms: number, ok = true): LatencyPoint => ({ t, p50Ms: ms, p95Ms: ms, p99Ms: ms, rps: 1, errorRate: ok ? 0 : 1 });
const empty = (t: number): LatencyPoint => ({ t, p50Ms: null, p95Ms: null, p99Ms: null, rps: 0, errorRate: null });

describe('rowProbe: one probe per row', () => {
  it('takes the series probe when it is newer than the live lastProbe (refreshed only every 30 s while only its time changes)', () => {
    const last = { at: new Date(T - 25_000).toISOString(), ok: true, latencyMs: 0.6 };
    const series = [probeAt(T - 8_000, 90), empty(T - 7_000), probeAt(T - 3_000, 126), empty(T - 2_000)];
    expect(rowProbe(last, series, 1)).toEqual({ at: T - 3_000, ok: true, latencyMs: 126 });
  });

  it('keeps the live lastProbe when it is the newer (or the same probe), and in minute windows', () => {
    const last = { at: new Date(T - 2_600).toISOString(), ok: false, latencyMs: 2.9, error: 'connection refused' };
    expect(rowProbe(last, [probeAt(T - 3_000, 2.9, false)], 1)).toEqual({ at: T - 2_600, ok: false, latencyMs: null, error: 'connection refused' });
    expect(rowProbe(last, [probeAt(T - 60_000, 4)], 60)?.ok).toBe(false);
    expect(rowProbe(undefined, undefined, 1)).toBeNull();
  });

  it('never gives a failed probe a latency, and borrows the error from a failed lastProbe', () => {
    const last = { at: new Date(T - 20_000).toISOString(), ok: false, latencyMs: 1.1, error: 'connection refused' };
    expect(rowProbe(last, [probeAt(T - 1_000, 2.9, false)], 1)).toEqual({ at: T - 1_000, ok: false, latencyMs: null, error: 'connection refused' });
    expect(rowProbe(undefined, [probeAt(T - 1_000, 2.9, false)], 1)).toEqual({ at: T - 1_000, ok: false, latencyMs: null });
  });
});

describe('latencyFigure', () => {
  it('says "probe failed" instead of how fast a refused connect was', () => {
    expect(latencyFigure('probe', 2.9, { at: T, ok: false, latencyMs: null, error: 'connection refused' }, undefined)).toEqual({ text: 'probe failed', failed: true });
    expect(latencyFigure('inbound', 74, { at: T, ok: false, latencyMs: null }, undefined)).toEqual({ text: 'probe failed', failed: true });
  });

  it('shows the call latency of an instance whose probe fails while its calls are still answered (a hung health check), not "probe failed"', () => {
    const failed = { at: T - 2_000, ok: false, latencyMs: null, error: 'timeout after 2 s' };
    expect(latencyFigure('inbound', 228, failed, undefined, true)).toEqual({ text: 'p99 228 ms', failed: false });
    // Its probe, not its calls: a probe-only line has nothing else to show.
    expect(latencyFigure('probe', 3, failed, undefined, true)).toEqual({ text: 'probe failed', failed: true });
  });

  it('gives a lost instance no figure from before it died, unless it still serves', () => {
    const lost = { at: new Date(T).toISOString(), cause: 'lease expired', passingBefore: 2 };
    expect(latencyFigure('probe', 52, null, lost)).toEqual({ text: 'not answering', failed: true });
    expect(latencyFigure('probe', 52, { at: T, ok: true, latencyMs: 3 }, { ...lost, stillServing: true })).toEqual({ text: 'probe 3 ms', failed: false });
  });

  it('does not call a departure still being checked "not answering": its last probe passed', () => {
    const checking = { at: new Date(T).toISOString(), cause: 'left discovery — checking whether it still serves', passingBefore: 2, checking: true as const };
    expect(latencyFigure('probe', 52, { at: T, ok: true, latencyMs: 3 }, checking)).toEqual({ text: 'probe 3 ms', failed: false });
  });

  it("shows the row probe's time, the same one the row dates", () => {
    expect(latencyFigure('probe', 8.3, { at: T, ok: true, latencyMs: 0.2 }, undefined)).toEqual({ text: 'probe 0.2 ms', failed: false });
    expect(latencyFigure('inbound', 74, { at: T, ok: true, latencyMs: 0.2 }, undefined)).toEqual({ text: 'p99 74 ms', failed: false });
  });
});

describe('recentCallsText', () => {
  const clean = { calls: 40, errorRate: 0, p95Ms: 52 };
  it('says nothing reassuring of a lost or failing instance', () => {
    expect(recentCallsText(clean, { lost: true, probeFailing: true }, true)).toBeNull();
    expect(recentCallsText(clean, { lost: false, probeFailing: true }, true)).toBeNull();
    expect(recentCallsText({ calls: 40, errorRate: 0, p95Ms: null }, { lost: false, probeFailing: true })).toBeNull();
    expect(recentCallsText({ calls: 40, errorRate: 0.43, p95Ms: 180 }, { lost: false, probeFailing: true }, true)).toBe('43 % errors · p95 180 ms');
  });

  it('keeps the healthy figures of a healthy instance', () => {
    expect(recentCallsText(clean, { lost: false, probeFailing: false }, true)).toBe('no errors · p95 52 ms');
    expect(recentCallsText(clean, { lost: false, probeFailing: false })).toBe('p95 52 ms');
    expect(recentCallsText({ calls: 4, errorRate: 0, p95Ms: null }, { lost: false, probeFailing: false })).toBe('no errors');
    expect(recentCallsText({ calls: 0, errorRate: null, p95Ms: null }, { lost: false, probeFailing: false })).toBeNull();
  });
});

describe('answeredSinceProbeFailed', () => {
  const calls = (t: number, errorRate: number): LatencyPoint => ({ t, p50Ms: 20, p95Ms: 190, p99Ms: 228, rps: 10, errorRate });
  // Probes every 5 s: good at -20 s, failing from -15 s on; the row's probe is the newest (-1 s).
  const probes = [probeAt(T - 20_000, 3), empty(T - 19_000), probeAt(T - 15_000, 2_000, false), probeAt(T - 10_000, 2_000, false), probeAt(T - 5_000, 2_000, false), probeAt(T - 1_000, 2_000, false)];
  const failed = { at: T - 1_000, ok: false, latencyMs: null };

  it('holds while the newest calls, made since the probes began failing, were answered (reported seconds late), not every one failing', () => {
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 16_000, 0), calls(T - 7_000, 0), empty(T - 6_000)] }, failed)).toBe(true);
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 7_000, 0.4)] }, failed)).toBe(true);
    // Minute slots: the slot the failure began in counts.
    expect(answeredSinceProbeFailed({ probe: [probeAt(T - 60_000, 2_000, false)], inbound: [calls(T - 60_000, 0)] }, { ...failed, at: T - 30_000 })).toBe(true);
  });

  it('does not hold for calls made only before the probes failed, newest calls that all fail, a passing probe or no data', () => {
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 17_000, 0), empty(T - 7_000)] }, failed)).toBe(false);
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 10_000, 0), calls(T - 7_000, 1)] }, failed)).toBe(false);
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 7_000, 0)] }, { at: T - 1_000, ok: true, latencyMs: 3 })).toBe(false);
    expect(answeredSinceProbeFailed({ probe: probes, inbound: [calls(T - 7_000, 0)] }, null)).toBe(false);
    expect(answeredSinceProbeFailed(undefined, failed)).toBe(false);
  });
});

describe('probeResultText', () => {
  it('gives the result and its age, no time', () => {
    expect(probeResultText({ at: T - 12_000, ok: true, latencyMs: 0.6 }, T)).toEqual({ result: 'OK', age: '12 s ago' });
    expect(probeResultText({ at: T - 1_000, ok: false, latencyMs: null, error: 'connection refused' }, T)).toEqual({ result: 'connection refused', age: 'just now' });
    expect(probeResultText({ at: T, ok: false, latencyMs: null }, null)).toEqual({ result: 'failed', age: null });
  });
});
