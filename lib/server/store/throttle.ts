import type { Clock } from './clock';

export interface Throttle {
  /** Asks for a run: on the next tick after a quiet window, else when the window ends. */
  schedule(): void;
  /** Runs now, dropping any scheduled run. */
  runNow(): void;
  cancel(): void;
}

/**
 * Throttle with a leading edge: a change after a quiet window leaves on the next tick (so one
 * watch response's events still travel together); during a burst at most one run per window.
 * `run` says whether it did anything: only a run that did starts a new window. `windowMs` may be
 * a function: read when a run is scheduled, so the window can follow what runs cost.
 */
export function createThrottle(run: () => boolean, windowMs: number | (() => number), clock: Clock): Throttle {
  const currentWindow = typeof windowMs === 'function' ? windowMs : () => windowMs;
  let lastRunAt = -Infinity;
  let cancelScheduled: (() => void) | undefined;

  const cancel = (): void => {
    cancelScheduled?.();
    cancelScheduled = undefined;
  };
  const runNow = (): void => {
    cancel();
    if (run()) lastRunAt = clock.now();
  };
  return {
    schedule() {
      if (cancelScheduled) return;
      cancelScheduled = clock.after(Math.max(0, lastRunAt + currentWindow() - clock.now()), runNow);
    },
    runNow,
    cancel,
  };
}
