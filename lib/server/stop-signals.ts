/**
 * The signals a Switchyard process (the server, the demo) stops cleanly on: Ctrl-C, a supervisor's
 * SIGTERM, a closed terminal (SIGHUP) and Ctrl-\ (SIGQUIT). Each must be handled, not left to its
 * default: the local etcd runs in a process group of its own, so only a clean stop stops it.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** Calls `stop` with the signal's name on any of `STOP_SIGNALS`. */
export function onStopSignal(stop: (signal: (typeof STOP_SIGNALS)[number]) => void): void {
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
}
