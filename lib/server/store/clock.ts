/** What the delta log needs of time: a monotonic reading and a way to run something later. */
export interface Clock {
  /** Monotonic milliseconds (only differences mean anything). */
  now(): number;
  /** Runs `task` after `ms` (0 = on the next turn of the event loop); returns a cancel function. */
  after(ms: number, task: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  after(ms, task) {
    if (ms <= 0) {
      const immediate = setImmediate(task);
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
};
