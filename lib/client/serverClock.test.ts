import { afterEach, describe, expect, it, vi } from 'vitest';
import { clockOffset, learnServerClock, serverNow, SKEW_IGNORED_MS } from './serverClock';

describe('the server clock', () => {
  afterEach(() => {
    learnServerClock(0, 0);
    vi.useRealTimers();
  });

  it("ignores differences a page takes to arrive, and takes a wrong clock's whole difference", () => {
    expect(clockOffset(1_000_000, 1_000_000 + SKEW_IGNORED_MS)).toBe(0);
    expect(clockOffset(1_000_000 + 800, 1_000_000)).toBe(0);
    expect(clockOffset(1_000_000, 1_000_000 + 180_000)).toBe(-180_000);
    expect(clockOffset(1_000_000 + 3_600_000, 1_000_000)).toBe(3_600_000);
    expect(clockOffset(Number.NaN, 1_000_000)).toBe(0);
  });

  it("gives now on the server's clock once the page's server time is known", () => {
    vi.useFakeTimers({ now: 5_000_000 });
    expect(serverNow()).toBe(5_000_000);
    // This browser runs 3 minutes fast.
    learnServerClock(5_000_000 - 180_000);
    expect(serverNow()).toBe(5_000_000 - 180_000);
    vi.advanceTimersByTime(10_000);
    expect(serverNow()).toBe(5_010_000 - 180_000);
  });
});
