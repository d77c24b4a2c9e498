import { describe, expect, it } from 'vitest';
import { createInFlightLimit } from './in-flight';

/** Resolves in the check phase after the turns already queued; an immediate queued by a turn waits for the next loop, after its I/O poll. */
const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OTLP in-flight limit', () => {
  it('refuses past its places and takes them back on release', () => {
    const limit = createInFlightLimit(2);
    expect([limit.tryAcquire(), limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, true, false]);
    limit.release();
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.stats()).toEqual({ inFlight: 2, refused: 1 });
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
