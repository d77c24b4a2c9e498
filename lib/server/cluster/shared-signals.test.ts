import { describe, expect, it } from 'vitest';
import { recordProbeResult } from './shared-signals';

describe('recordProbeResult', () => {
  it('puts a measured probe into the series and nothing for a target the policy refused', () => {
    const recorded: unknown[][] = [];
    const latency = { recordProbe: (...args: unknown[]) => void recorded.push(args) };
    recordProbeResult(latency, '/s/a', { at: '2026-12-06T12:00:00.000Z', ok: false, latencyMs: 3, error: 'connection refused' });
    recordProbeResult(latency, '/s/b', { at: '2026-12-06T12:00:01.000Z', ok: false, latencyMs: 0, error: 'address denied by probe policy (169.254.0.0/16)', notProbed: true });
    expect(recorded).toEqual([['/s/a', Date.parse('2026-12-06T12:00:00.000Z'), 3, false]]);
  });
});
