/** How often the runtime sweeps (the probe-day benchmark replays the same cadence). */
export const SWEEP_EVERY_MS = 5_000;

/** Ages out what the call series and the span pairing hold, every few seconds, off any request. */
export function startSweeping(parts: readonly { sweep(): void }[]): { stop(): void } {
  const timer = setInterval(() => {
    for (const part of parts) part.sweep();
  }, SWEEP_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
