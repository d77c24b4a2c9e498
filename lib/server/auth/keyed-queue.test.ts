import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from './keyed-queue';

/** A task that runs until the test lets it finish, recording when it started and ended. */
function gate(log: string[], name: string) {
  let open: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async (): Promise<string> => {
      log.push(`${name} start`);
      await released;
      log.push(`${name} end`);
      return name;
    },
    open: () => open(),
  };
}

describe('keyed queue', () => {
  it('runs tasks for one key one at a time, in arrival order, and other keys alongside', async () => {
    const log: string[] = [];
    const queue = createKeyedQueue(5);
    const [a1, a2, b1] = [gate(log, 'a1'), gate(log, 'a2'), gate(log, 'b1')];
    const results = [queue.run('a', a1.task), queue.run('a', a2.task), queue.run('b', b1.task)];
    await Promise.resolve();
    expect(log).toEqual(['a1 start', 'b1 start']);
    a2.open();
    b1.open();
    await results[2];
    expect(log).not.toContain('a2 start');
    a1.open();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1 end')).toBeLessThan(log.indexOf('a2 start'));
    expect(queue.size()).toBe(0);
  });

  it('refuses a task when the key already has maxQueued in flight, and goes on after a failure', async () => {
    const queue = createKeyedQueue(2);
    const log: string[] = [];
    const first = gate(log, 'first');
    const failing = queue.run('a', async () => {
      await first.task();
      throw new Error('boom');
    });
    const second = queue.run('a', async () => 'second');
    expect(queue.run('a', async () => 'third')).toBeUndefined();
    first.open();
    await expect(failing).rejects.toThrow('boom');
    expect(await second).toBe('second');
    expect(await queue.run('a', async () => 'later')).toBe('later');
    expect(queue.size()).toBe(0);
  });
});
