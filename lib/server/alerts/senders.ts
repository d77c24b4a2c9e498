import type { Clock } from '../store/clock';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 60_000 };

/** The wait before retry number `failures` (1, 2, …): doubling from `initialMs`, capped. */
export function backoffMs(backoff: Backoff, failures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
}

export type SendOutcome = { ok: true } | { ok: false; error: string; failures: number; gaveUp: boolean } | { ok: false; dropped: true };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Sends a whole current state (Alertmanager: every alert still firing or recently resolved) now
 * when nudged, again every `intervalMs`, and after a failure again with backoff. Nothing queues:
 * each send reads the state afresh, so a retry never sends something stale and a long outage
 * costs no memory.
 */
export function createResender(options: { clock: Clock; intervalMs: number; backoff?: Backoff; send: () => Promise<void>; onOutcome: (outcome: SendOutcome) => void }) {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let cancel: (() => void) | undefined;
  let inFlight = false;
  let again = false;
  let failures = 0;
  let stopped = false;

  const schedule = (ms: number): void => {
    cancel?.();
    cancel = options.clock.after(ms, () => void run());
  };
  const run = async (): Promise<void> => {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    cancel?.();
    cancel = undefined;
    inFlight = true;
    try {
      await options.send();
      failures = 0;
      options.onOutcome({ ok: true });
      if (!stopped) schedule(options.intervalMs);
    } catch (error) {
      failures += 1;
      options.onOutcome({ ok: false, error: message(error), failures, gaveUp: false });
      if (!stopped) schedule(backoffMs(backoff, failures));
    } finally {
      inFlight = false;
      if (again && failures === 0) {
        again = false;
        void run();
      }
    }
  };

  return {
    /** Something changed: send now, unless a retry is already waiting (it will send the latest). */
    nudge(): void {
      if (failures > 0) return;
      void run();
    },
    stop(): void {
      stopped = true;
      cancel?.();
    },
  };
}

/**
 * Notifications (webhook messages) in order, each retried with backoff up to `maxAttempts`, in a
 * queue of at most `maxSize`: when full the oldest is dropped (and reported) rather than memory grow.
 */
export function createQueueSender<T>(options: { clock: Clock; maxSize: number; maxAttempts: number; backoff?: Backoff; send: (item: T) => Promise<void>; onOutcome: (outcome: SendOutcome) => void }) {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const queue: { item: T; attempts: number }[] = [];
  let busy = false;
  let cancel: (() => void) | undefined;
  let stopped = false;

  const pump = async (): Promise<void> => {
    if (busy || stopped) return;
    const head = queue[0];
    if (!head) return;
    busy = true;
    try {
      await options.send(head.item);
      if (queue[0] === head) queue.shift();
      options.onOutcome({ ok: true });
    } catch (error) {
      head.attempts += 1;
      const gaveUp = head.attempts >= options.maxAttempts;
      if (gaveUp && queue[0] === head) queue.shift();
      options.onOutcome({ ok: false, error: message(error), failures: head.attempts, gaveUp });
      if (!gaveUp && !stopped) {
        busy = false;
        cancel = options.clock.after(backoffMs(backoff, head.attempts), () => {
          cancel = undefined;
          void pump();
        });
        return;
      }
    }
    busy = false;
    void pump();
  };

  return {
    enqueue(item: T): void {
      if (stopped) return;
      if (queue.length >= options.maxSize) {
        options.onOutcome({ ok: false, dropped: true });
        // The oldest, but never the one on the wire or waiting for its retry.
        const oldest = busy || cancel ? 1 : 0;
        if (oldest >= queue.length) return;
        queue.splice(oldest, 1);
      }
      queue.push({ item, attempts: 0 });
      if (!cancel) void pump();
    },
    size: (): number => queue.length,
    stop(): void {
      stopped = true;
      cancel?.();
    },
  };
}
