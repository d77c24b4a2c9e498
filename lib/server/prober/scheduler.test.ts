import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type SchedulerOptions } from './scheduler';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A scheduler on the fake clock whose probes finish when the test says so. */
function setup(overrides: Partial<SchedulerOptions> = {}) {
  const runs: string[] = [];
  const pending: (() => void)[] = [];
  let next = 0;
  const scheduler = createScheduler({
    intervalMs: 1_000,
    concurrency: 100,
    now: () => Date.now(),
    random: () => (next++ % 10) / 10,
    run: (key) => {
      runs.push(key);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    ...overrides,
  });
  const finishAll = async (): Promise<void> => {
    for (const resolve of pending.splice(0)) resolve();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { scheduler, runs, pending, finishAll };
}

describe('probe scheduler', () => {
  it('spreads the first probes of keys added together over the interval', async () => {
    const { scheduler, runs } = setup();
    for (let i = 0; i < 10; i += 1) scheduler.add(`k${i}`);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(['k0']);
    await vi.advanceTimersByTimeAsync(450);
    expect(runs).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toHaveLength(10);
  });

  it('keeps each key on a fixed cadence with no accumulated lag', async () => {
    const { scheduler, runs, finishAll } = setup({ random: () => 0.25 });
    scheduler.add('a');
    for (let round = 0; round < 10; round += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      await finishAll();
    }
    expect(runs).toHaveLength(10);
    expect(scheduler.stats()).toMatchObject({ started: 10, completed: 10, skipped: 0, lagMaxMs: 0 });
  });

  it('runs at most `concurrency` probes at once and measures the wait as lag', async () => {
    const { scheduler, runs, pending } = setup({ concurrency: 3, random: () => 0 });
    for (let i = 0; i < 10; i += 1) scheduler.add(`k${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.stats()).toMatchObject({ inFlight: 3, queued: 7 });
    await vi.advanceTimersByTimeAsync(40);
    pending.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(4);
    expect(scheduler.stats()).toMatchObject({ inFlight: 3, queued: 6, lagMaxMs: 40 });
  });

  it('never overlaps two probes of one key: a round that finds it busy is skipped', async () => {
    const { scheduler, runs } = setup({ random: () => 0 });
    scheduler.add('stuck');
    await vi.advanceTimersByTimeAsync(3_500);
    expect(runs).toEqual(['stuck']);
    expect(scheduler.stats()).toMatchObject({ skipped: 3, inFlight: 1 });
  });

  it('stops probing a removed key, and a queued probe of it never starts', async () => {
    const { scheduler, runs, finishAll } = setup({ concurrency: 1, random: () => 0 });
    scheduler.add('a');
    scheduler.add('b');
    await vi.advanceTimersByTimeAsync(0);
    scheduler.remove('b');
    await finishAll();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs.filter((key) => key === 'b')).toEqual([]);
    expect(scheduler.has('b')).toBe(false);
  });

  it('drops rounds a stall made it miss instead of firing them in a burst', async () => {
    let stall = 0;
    const { scheduler, runs, finishAll } = setup({ random: () => 0, now: () => Date.now() + stall });
    scheduler.add('a');
    await vi.advanceTimersByTimeAsync(0);
    await finishAll();
    // The loop was blocked for 5.5 s: the timer due at 1 s runs when the clock already says 6.5 s.
    stall = 5_500;
    await vi.advanceTimersByTimeAsync(1_000);
    await finishAll();
    expect(runs).toHaveLength(2);
    expect(scheduler.stats().lagMaxMs).toBe(5_500);
    await vi.advanceTimersByTimeAsync(400);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toHaveLength(3);
  });

  it('fires many keys in the order of their plans, round after round, and never a removed one', async () => {
    // Plans scattered over the interval by a fixed pseudo-random sequence, recorded per key.
    let seed = 7;
    const draws: number[] = [];
    const random = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      draws.push(seed / 2_147_483_647);
      return seed / 2_147_483_647;
    };
    const { scheduler, runs, finishAll } = setup({ random, concurrency: 1_000 });
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    for (const key of keys) scheduler.add(key);
    const plannedAt = new Map(keys.map((key, i) => [key, draws[i] ?? 0]));
    const removedFirst = keys.filter((_, i) => i % 7 === 0);
    for (const key of removedFirst) scheduler.remove(key);
    for (let step = 0; step < 20; step += 1) {
      await vi.advanceTimersByTimeAsync(50);
      await finishAll();
    }
    const kept = keys.filter((key) => !removedFirst.includes(key));
    expect(new Set(runs)).toEqual(new Set(kept));
    const order = runs.map((key) => plannedAt.get(key) ?? 0);
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // Removed after their first probe: the next round leaves them out and keeps the rest's order.
    const removedLater = kept.filter((_, i) => i % 5 === 0);
    for (const key of removedLater) scheduler.remove(key);
    runs.length = 0;
    await vi.advanceTimersByTimeAsync(1_000);
    await finishAll();
    expect(new Set(runs)).toEqual(new Set(kept.filter((key) => !removedLater.includes(key))));
    const next = runs.map((key) => plannedAt.get(key) ?? 0);
    expect(next).toEqual([...next].sort((a, b) => a - b));
  });

  it('stop() waits for probes in flight and plans no more', async () => {
    const { scheduler, runs, finishAll } = setup({ random: () => 0 });
    scheduler.add('a');
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await finishAll();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toEqual(['a']);
  });
});
