import { describe, expect, it } from 'vitest';
import { createManualClock } from '@/tests/support/manual-clock';
import { backoffMs, createQueueSender, createResender, type SendOutcome } from './senders';

/** Lets the send's promise settle (the manual clock runs timers, not promises). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('backoff', () => {
  it('doubles from the first wait and stops at the cap', () => {
    const backoff = { initialMs: 1_000, maxMs: 60_000 };
    expect([1, 2, 3, 6, 7, 50].map((failures) => backoffMs(backoff, failures))).toEqual([1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
  });
});

describe('resender (Alertmanager: the current state)', () => {
  it('sends when nudged, again every interval, and after a failure retries with backoff, not on every nudge', async () => {
    const clock = createManualClock(0);
    const sends: number[] = [];
    let failing = false;
    const outcomes: SendOutcome[] = [];
    const sender = createResender({
      clock,
      intervalMs: 60_000,
      send: () => {
        sends.push(clock.now());
        return failing ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve();
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    sender.nudge();
    await settle();
    expect(sends).toEqual([0]);
    clock.advance(60_000);
    await settle();
    expect(sends).toEqual([0, 60_000]);
    failing = true;
    sender.nudge();
    await settle();
    sender.nudge();
    sender.nudge();
    await settle();
    expect(sends).toEqual([0, 60_000, 60_000]);
    clock.advance(1_000);
    await settle();
    clock.advance(2_000);
    await settle();
    expect(sends).toEqual([0, 60_000, 60_000, 61_000, 63_000]);
    expect(outcomes.at(-1)).toEqual({ ok: false, error: 'connect ECONNREFUSED', failures: 3, gaveUp: false });
    failing = false;
    clock.advance(4_000);
    await settle();
    expect(outcomes.at(-1)).toEqual({ ok: true });
    sender.stop();
    expect(clock.pending()).toBe(0);
  });
});

describe('queue sender (webhook: each notification)', () => {
  it('delivers in order, retries the head with backoff and gives up after the attempts', async () => {
    const clock = createManualClock(0);
    const delivered: string[] = [];
    const outcomes: SendOutcome[] = [];
    let failuresLeft = 2;
    const queue = createQueueSender<string>({
      clock,
      maxSize: 10,
      maxAttempts: 3,
      send: (item) => {
        if (item === 'a' && failuresLeft-- > 0) return Promise.reject(new Error('HTTP 502'));
        if (item === 'never') return Promise.reject(new Error('HTTP 500'));
        delivered.push(item);
        return Promise.resolve();
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    queue.enqueue('a');
    queue.enqueue('b');
    await settle();
    expect(delivered).toEqual([]);
    clock.advance(1_000);
    await settle();
    clock.advance(2_000);
    await settle();
    await settle();
    expect(delivered).toEqual(['a', 'b']);
    queue.enqueue('never');
    queue.enqueue('c');
    await settle();
    clock.advance(1_000);
    await settle();
    clock.advance(2_000);
    await settle();
    await settle();
    expect(delivered).toEqual(['a', 'b', 'c']);
    expect(outcomes.filter((outcome) => !outcome.ok && 'gaveUp' in outcome && outcome.gaveUp)).toHaveLength(1);
    expect(queue.size()).toBe(0);
  });

  it('drops the oldest waiting notification when full, never the one being retried', async () => {
    const clock = createManualClock(0);
    const delivered: string[] = [];
    let down = true;
    const outcomes: SendOutcome[] = [];
    const queue = createQueueSender<string>({
      clock,
      maxSize: 3,
      maxAttempts: 100,
      send: (item) => (down ? Promise.reject(new Error('down')) : (delivered.push(item), Promise.resolve())),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    for (const item of ['1', '2', '3', '4', '5']) {
      queue.enqueue(item);
      await settle();
    }
    expect(queue.size()).toBe(3);
    expect(outcomes.filter((outcome) => 'dropped' in outcome)).toHaveLength(2);
    down = false;
    clock.advance(60_000);
    for (let i = 0; i < 5; i += 1) await settle();
    expect(delivered).toEqual(['1', '4', '5']);
  });
});
