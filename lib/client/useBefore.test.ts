import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchDeadlines } from './useBefore';

const NOW = 1_800_000_000_000;
const DAY_MS = 86_400_000;

describe('watchDeadlines (useLastPassed: when the map is built again as flaps end)', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW }));
  afterEach(() => vi.useRealTimers());

  it('waits for a deadline past what one timer can wait (2^31−1 ms, 24.8 days) rather than firing at once', () => {
    const onPassed = vi.fn();
    watchDeadlines([NOW + 30 * DAY_MS], 0, onPassed);
    vi.advanceTimersByTime(1);
    expect(onPassed).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(onPassed).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY_MS - 2 ** 31);
    expect(onPassed).toHaveBeenCalledTimes(1);
    expect(onPassed.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(NOW + 30 * DAY_MS);
  });

  it('passes the server\'s now, so deadlines that passed while its timer was held (a background tab) cause one call, and nothing is left to wait for', () => {
    const onPassed = vi.fn();
    const deadlines = [NOW + 1_000, NOW + 1_500, NOW + 1_800];
    watchDeadlines(deadlines, 0, onPassed);
    // The timer runs late: the clock is 2 s on when it fires at +1 s of timer time, past all three.
    vi.setSystemTime(NOW + 2_000);
    vi.advanceTimersByTime(1_000);
    expect(onPassed).toHaveBeenCalledTimes(1);
    const passed = onPassed.mock.calls[0]?.[0] as number;
    expect(passed).toBe(Date.now());
    expect(passed).toBeGreaterThan(NOW + 1_800);
    watchDeadlines(deadlines, passed, onPassed);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels its timer', () => {
    const onPassed = vi.fn();
    const cancel = watchDeadlines([NOW + 1_000], 0, onPassed);
    cancel();
    vi.advanceTimersByTime(2_000);
    expect(onPassed).not.toHaveBeenCalled();
  });
});
