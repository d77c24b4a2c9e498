import { describe, expect, it } from 'vitest';
import type { DrainState } from '@/lib/model/drain';
import { drainStateFromCalls } from './drain-monitor';
import { createMetricsStore } from './metrics-store/store';

const T0 = Date.parse('2026-12-05T08:00:00Z');
const QUIET_MS = 30_000;

describe('drain state from calls reported once a minute (an OpenTelemetry SDK on its default export interval)', () => {
  /** Drained at 10 s; each minute one report of the minute before, 10 calls a second while `serving(second)`; the state every 5 s. */
  const states = (until: number, serving: (second: number) => boolean): Map<number, DrainState> => {
    const clock = { t: T0 };
    const latency = createMetricsStore({ now: () => clock.t });
    const instance = { service: 'orders', id: 'orders-1' };
    const drainAt = new Date(T0 + 10_000).toISOString();
    const seen = new Map<number, DrainState>();
    for (let t = 0; t <= until; t += 1) {
      clock.t = T0 + t * 1_000;
      if (t > 0 && t % 60 === 0 && serving(t - 1)) {
        latency.ingest({
          reporter: { service: 'web', instance: 'web-1' },
          intervalStart: new Date(T0 + (t - 60) * 1_000).toISOString(),
          intervalSeconds: 60,
          calls: [{ to: 'orders', toInstance: 'orders-1', count: 600, errors: 0, latencyMs: { bounds: [20], counts: [600, 0] } }],
        });
      }
      if (t % 5 === 0 && t >= 60) seen.set(t, drainStateFromCalls(instance, drainAt, latency, clock.t, QUIET_MS));
    }
    return seen;
  };

  it('stays draining while the instance still serves, between reports too', () => {
    expect(new Set(states(400, () => true).values())).toEqual(new Set(['draining']));
  });

  it('turns drained once a quiet period has been reported, not before the report that shows it', () => {
    // Calls stop at 120 s: the report at 120 s still has them, the one at 180 s would have none and is not sent.
    const seen = states(400, (second) => second < 120);
    const drainedAt = [...seen].find(([, state]) => state === 'drained')?.[0];
    expect(drainedAt).toBeDefined();
    // Quiet since 120 s, known quiet once what may still arrive (a lag of 60 s) is past: 120 + 30 + 60.
    expect(drainedAt).toBeGreaterThanOrEqual(210);
    expect(drainedAt).toBeLessThanOrEqual(215);
    expect([...seen].filter(([second]) => second >= (drainedAt ?? 0)).every(([, state]) => state === 'drained')).toBe(true);
  });
});
