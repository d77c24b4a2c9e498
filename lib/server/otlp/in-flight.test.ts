import { describe, expect, it } from 'vitest';
import { createInFlightLimit } from './in-flight';

/** Resolves in the check phase after the turns already queued; an immediate queued by a turn waits for the next loop, after its I/O poll. */
const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OTLP in-flight limit', () => {
  it('starts requests at once while places are free, then lets them wait in arrival order, then refuses', () => {
    const limit = createInFlightLimit(2, { maxWaiting: 2 });
    const started: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => limit.enter(() => started.push(name)));
    expect(started).toEqual(['a', 'b']);
    expect(limit.enter(() => started.push('e'))).toBeNull();
    expect(limit.stats()).toEqual({ inFlight: 2, waiting: 2, refused: 1 });
    b?.();
    expect(started).toEqual(['a', 'b', 'c']);
    a?.();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    c?.();
    d?.();
    expect(limit.stats()).toEqual({ inFlight: 0, waiting: 0, refused: 1 });
  });

  it('never starts a request that left while waiting, and frees a place once however often it leaves', () => {
    const limit = createInFlightLimit(1, { maxWaiting: 2 });
    const started: string[] = [];
    const holder = limit.enter(() => started.push('holder'));
    const gone = limit.enter(() => started.push('gone'));
    const next = limit.enter(() => started.push('next'));
    gone?.();
    holder?.();
    holder?.();
    expect(started).toEqual(['holder', 'next']);
    expect(limit.stats()).toEqual({ inFlight: 1, waiting: 0, refused: 0 });
    expect(limit.enter(() => started.push('later'))).not.toBeNull();
    expect(started).toEqual(['holder', 'next']);
    next?.();
    expect(started).toEqual(['holder', 'next', 'later']);
  });

  it('refuses past its places when no wait is allowed', () => {
    const limit = createInFlightLimit(1);
    expect(limit.enter(() => undefined)).not.toBeNull();
    expect(limit.enter(() => undefined)).toBeNull();
    expect(limit.stats()).toEqual({ inFlight: 1, waiting: 0, refused: 1 });
  });

  it('runs small requests together in one turn, in arrival order', async () => {
    const clock = { ms: 0 };
    const limit = createInFlightLimit(16, { now: () => clock.ms, budgetMs: 4 });
    const ran: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      limit.turn(() => {
        ran.push(i);
        clock.ms += 0.3;
      });
    }
    expect(ran).toEqual([]);
    await nextImmediate();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('lets I/O be polled between requests once a turn has used its budget', async () => {
    const clock = { ms: 0 };
    const limit = createInFlightLimit(16, { now: () => clock.ms, budgetMs: 4 });
    const ran: string[] = [];
    limit.turn(() => {
      ran.push('big 1');
      clock.ms += 30;
    });
    limit.turn(() => {
      ran.push('big 2');
      clock.ms += 30;
    });
    limit.turn(() => ran.push('small'));
    await nextImmediate();
    expect(ran).toEqual(['big 1']);
    // The next big export waits for a turn of its own, after the next I/O poll; the small one after that.
    await nextImmediate();
    expect(ran).toEqual(['big 1', 'big 2']);
    await nextImmediate();
    expect(ran).toEqual(['big 1', 'big 2', 'small']);
  });
});
