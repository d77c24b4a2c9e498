import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottle } from './throttle';

describe('createThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once and collapses a burst into one trailing run per interval', () => {
    const run = vi.fn();
    const throttle = createThrottle(run, 100);
    throttle.schedule();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) {
      throttle.schedule();
      vi.advanceTimersByTime(10);
    }
    // 500 ms of calls every 10 ms: at most one run per 100 ms.
    expect(run.mock.calls.length).toBeLessThanOrEqual(6);
    vi.advanceTimersByTime(100);
    const settled = run.mock.calls.length;
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(settled);
  });

  it('cancel drops a pending run', () => {
    const run = vi.fn();
    const throttle = createThrottle(run, 100);
    throttle.schedule();
    throttle.cancel();
    vi.advanceTimersByTime(500);
    expect(run).not.toHaveBeenCalled();
  });
});
