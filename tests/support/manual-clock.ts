import type { Clock } from '@/lib/server/store/clock';

export interface ManualClock extends Clock {
  /** Moves time forward, running every task that falls due on the way, in time order. */
  advance(ms: number): void;
  /** Tasks not yet run. */
  pending(): number;
}

/** A clock that moves only when told: time logic tested without real timers. */
export function createManualClock(start = 1_000): ManualClock {
  let now = start;
  let order = 0;
  const tasks = new Map<number, { at: number; order: number; task: () => void }>();
  return {
    now: () => now,
    after(ms, task) {
      const id = (order += 1);
      tasks.set(id, { at: now + Math.max(0, ms), order: id, task });
      return () => tasks.delete(id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...tasks.entries()].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at || a.order - b.order)[0];
        if (!due) break;
        tasks.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].task();
      }
      now = until;
    },
    pending: () => tasks.size,
  };
}
