import { describe, expect, it } from 'vitest';
import { createMetricsStore } from '../metrics-store/store';
import { REPLICA_SKEW_SECONDS } from '../metrics-store/skew';
import { onOurClock, recordProbeResult } from './shared-signals';

describe('recordProbeResult', () => {
  it('puts a measured probe into the series and nothing for a target the policy refused', () => {
    const recorded: unknown[][] = [];
    const latency = { recordProbe: (...args: unknown[]) => void recorded.push(args) };
    recordProbeResult(latency, '/s/a', { at: '2026-12-06T12:00:00.000Z', ok: false, latencyMs: 3, error: 'connection refused' });
    recordProbeResult(latency, '/s/b', { at: '2026-12-06T12:00:01.000Z', ok: false, latencyMs: 0, error: 'address denied by probe policy (169.254.0.0/16)', notProbed: true });
    expect(recorded).toEqual([['/s/a', Date.parse('2026-12-06T12:00:00.000Z'), 3, false]]);
  });
});

describe('a replica whose clock is apart from ours', () => {
  const T0 = Date.parse('2026-12-06T12:00:00.000Z');
  /** Whether a call interval another replica placed ending `offsetS` from our now is re-placed to end now. */
  const callReplaced = (offsetS: number): boolean => {
    const latency = createMetricsStore({ now: () => T0 });
    latency.replay({ to: 'b', countsForCallee: true, startSecond: T0 / 1_000 + offsetS - 1, intervalSeconds: 1, count: 5, errors: 0, bounds: [10], counts: [5, 0] });
    return latency.service('b', '5m').some((point) => point.rps > 0 && Math.abs(point.t - T0) <= 5_000);
  };
  const probeRetimed = (offsetS: number): boolean => onOurClock({ at: new Date(T0 + offsetS * 1_000).toISOString(), ok: true, latencyMs: 2 }, T0).at !== new Date(T0 + offsetS * 1_000).toISOString();

  it('has its calls and its probe results put on our clock past one bound, REPLICA_SKEW_SECONDS (35 s), and both kept within it', () => {
    expect(REPLICA_SKEW_SECONDS).toBe(35);
    const offsets = [-120, -36, -34, -31, -20, 20, 31, 34, 36, 120];
    // Before, probe results were re-timed past 30 s and calls past 35 s: 31 s and 34 s apart, a replica's probes moved and its calls did not.
    expect(offsets.map((offset) => [offset, probeRetimed(offset), callReplaced(offset)])).toEqual(offsets.map((offset) => [offset, Math.abs(offset) > 35, Math.abs(offset) > 35]));
  });
});
