/**
 * Calls `run` at most once per `intervalMs`: the first call in a quiet period runs at once,
 * calls during the interval collapse into one trailing run.
 */
export function createThrottle(run: () => void, intervalMs: number): { schedule(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  const fire = () => {
    timer = undefined;
    last = Date.now();
    run();
  };
  return {
    schedule() {
      if (timer !== undefined) return;
      timer = setTimeout(fire, Math.max(0, last + intervalMs - Date.now()));
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
