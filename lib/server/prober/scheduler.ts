import { performance } from 'node:perf_hooks';
import { createRecent, tail } from './recent';

export interface SchedulerOptions {
  intervalMs: number;
  /** Probes in flight at most; the rest wait in arrival order. */
  concurrency: number;
  /** Probes one key. The scheduler never runs two probes of one key at once. */
  run(key: string): Promise<void>;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** In [0, 1): where in the first interval a new key's first probe falls. */
  random?: () => number;
}

export interface SchedulerStats {
  scheduled: number;
  inFlight: number;
  queued: number;
  started: number;
  completed: number;
  /** Rounds dropped because the key's previous probe had not finished yet. */
  skipped: number;
  /** Completed probes per second over the last 10 s. */
  probesPerSecond: number;
  /** Actual start − planned start over the last 16,384 probes, including any wait for a free slot. */
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface Scheduler {
  add(key: string): void;
  remove(key: string): void;
  has(key: string): boolean;
  stats(): SchedulerStats;
  /** Stops planning and starting probes; resolves when those in flight have finished. */
  stop(): Promise<void>;
}

interface Entry {
  key: string;
  planned: number;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  removed: boolean;
}

const RATE_WINDOW_MS = 10_000;
const LAG_SAMPLES = 16_384;
/** Enough completion times for the rate window at up to 3,000 probes/s. */
const COMPLETION_SAMPLES = 32_768;

/**
 * Probes every key once per interval on a fixed cadence. A new key's first probe falls at a
 * uniformly random point of its first interval, so 5,000 instances that appear together (the
 * initial sync) do not all fire at once; from then on each key keeps its own phase.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { intervalMs, concurrency } = options;
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const entries = new Map<string, Entry>();
  const queue: { entry: Entry; planned: number }[] = [];
  let queueHead = 0;
  const running = new Set<Promise<void>>();
  const lags = createRecent(LAG_SAMPLES);
  const completions = createRecent(COMPLETION_SAMPLES);
  const createdAt = now();
  let started = 0;
  let completed = 0;
  let skipped = 0;
  let stopped = false;

  const arm = (entry: Entry): void => {
    entry.timer = setTimeout(() => fire(entry), Math.max(0, entry.planned - now()));
    entry.timer.unref();
  };

  const fire = (entry: Entry): void => {
    entry.timer = undefined;
    const planned = entry.planned;
    // Planned from the previous plan, not from when it ran, so lateness never accumulates; rounds a
    // stall made us miss entirely are dropped rather than fired in a burst.
    const late = now() - planned;
    entry.planned = planned + intervalMs * Math.max(1, Math.ceil(late / intervalMs));
    arm(entry);
    if (entry.busy) {
      skipped += 1;
      return;
    }
    entry.busy = true;
    queue.push({ entry, planned });
    pump();
  };

  const start = (entry: Entry, planned: number): void => {
    started += 1;
    lags.add(now() - planned);
    const probe = options
      .run(entry.key)
      .catch(() => undefined)
      .finally(() => {
        running.delete(probe);
        entry.busy = false;
        completed += 1;
        completions.add(now());
        pump();
      });
    running.add(probe);
  };

  const pump = (): void => {
    while (!stopped && running.size < concurrency && queueHead < queue.length) {
      const next = queue[queueHead];
      queueHead += 1;
      if (next && !next.entry.removed) start(next.entry, next.planned);
    }
    // Compact now and then instead of shift()ing: O(1) per probe at any queue length.
    if (queueHead > 1_024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
  };

  return {
    add(key) {
      if (stopped || entries.has(key)) return;
      const entry: Entry = { key, planned: now() + random() * intervalMs, timer: undefined, busy: false, removed: false };
      entries.set(key, entry);
      arm(entry);
    },
    remove(key) {
      const entry = entries.get(key);
      if (!entry) return;
      entry.removed = true;
      clearTimeout(entry.timer);
      entries.delete(key);
    },
    has: (key) => entries.has(key),
    stats() {
      const since = now() - RATE_WINDOW_MS;
      const recent = completions.values().filter((at) => at > since).length;
      const lag = tail(lags.values());
      return {
        scheduled: entries.size,
        inFlight: running.size,
        queued: queue.length - queueHead,
        started,
        completed,
        skipped,
        probesPerSecond: recent / (Math.max(1, Math.min(RATE_WINDOW_MS, now() - createdAt)) / 1_000),
        lagP99Ms: lag.p99,
        lagMaxMs: lag.max,
      };
    },
    async stop() {
      stopped = true;
      for (const entry of entries.values()) clearTimeout(entry.timer);
      entries.clear();
      queue.length = 0;
      queueHead = 0;
      await Promise.all([...running]);
    },
  };
}
