import { describe, expect, it } from 'vitest';
import { createManualClock } from '@/tests/support/manual-clock';
import { createThrottle } from './throttle';

describe('throttle', () => {
  it('runs on the next tick after a quiet window, then at most once per window during a burst', () => {
    const clock = createManualClock();
    let runs = 0;
    const throttle = createThrottle(() => ((runs += 1), true), 100, clock);
    throttle.schedule();
    expect(runs).toBe(0);
    clock.advance(0);
    expect(runs).toBe(1);
    for (let i = 0; i < 50; i += 1) {
      throttle.schedule();
      clock.advance(10);
    }
    expect(runs).toBeGreaterThanOrEqual(5);
    expect(runs).toBeLessThanOrEqual(6);
    const afterBurst = runs;
    clock.advance(1_000);
    expect(runs).toBeLessThanOrEqual(afterBurst + 1);
    expect(clock.pending()).toBe(0);
  });

  it('starts no window for a run that did nothing, and runNow drops the scheduled run', () => {
    const clock = createManualClock();
    let did = false;
    let runs = 0;
    const throttle = createThrottle(() => ((runs += 1), did), 100, clock);
    throttle.runNow();
    throttle.schedule();
    clock.advance(0);
    expect(runs).toBe(2);
    did = true;
    throttle.runNow();
    throttle.schedule();
    throttle.runNow();
    expect(runs).toBe(4);
    clock.advance(1_000);
    expect(runs).toBe(4);
    throttle.schedule();
    throttle.cancel();
    clock.advance(1_000);
    expect(runs).toBe(4);
  });
});
