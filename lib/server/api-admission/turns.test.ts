import { describe, expect, it } from 'vitest';
import { createTurns } from './turns';

/** A schedule the test runs by hand: one call of `turn()` is one turn of the event loop. */
function manualSchedule() {
  const scheduled: (() => void)[] = [];
  return {
    schedule: (next: () => void) => void scheduled.push(next),
    turn: () => scheduled.shift()?.(),
    pending: () => scheduled.length,
  };
}

describe('createTurns', () => {
  it('runs one piece of work per turn, never at once', () => {
    const loop = manualSchedule();
    const turns = createTurns(loop.schedule);
    const ran: string[] = [];
    for (const label of ['a1', 'a2', 'a3']) turns.run('a', () => ran.push(label));
    expect(ran).toEqual([]);
    loop.turn();
    expect(ran).toEqual(['a1']);
    loop.turn();
    loop.turn();
    expect(ran).toEqual(['a1', 'a2', 'a3']);
    expect(loop.pending()).toBe(0);
  });

  it("lets a client's work in between a flooding client's, each client's in arrival order", () => {
    const loop = manualSchedule();
    const turns = createTurns(loop.schedule);
    const ran: string[] = [];
    for (const label of ['a1', 'a2', 'a3']) turns.run('a', () => ran.push(label));
    loop.turn();
    turns.run('b', () => ran.push('b1'));
    turns.run('b', () => ran.push('b2'));
    while (loop.pending() > 0) loop.turn();
    expect(ran).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
  });
});
