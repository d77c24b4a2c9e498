/**
 * Runs tasks one at a time per key, in arrival order, with at most `maxQueued` running or waiting
 * per key. Only keys with work in flight are held, so memory follows the requests in progress.
 */
export function createKeyedQueue(maxQueued: number) {
  const queues = new Map<string, { tail: Promise<void>; queued: number }>();

  return {
    /** `task`'s result once every earlier task for `key` has settled, or undefined when the key's queue is full. */
    run<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
      const queue = queues.get(key) ?? { tail: Promise.resolve(), queued: 0 };
      if (queue.queued >= maxQueued) return undefined;
      queue.queued += 1;
      queues.set(key, queue);
      // The count drops before the caller (or the next task) sees this task settle.
      const result = queue.tail.then(task).finally(() => {
        queue.queued -= 1;
        if (queue.queued === 0) queues.delete(key);
      });
      queue.tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    /** Keys with work in flight. */
    size: (): number => queues.size,
  };
}
