/**
 * Per-interval call statistics, as each demo instance would keep them for the calls it makes,
 * and the reporters that ship them (DESIGN §4 `POST /api/v1/ingest/calls`).
 */

/** Upper bounds (ms) of the latency histogram buckets; one more count collects everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** The calling instance, named as the registry decodes it. */
export interface Party {
  service: string;
  instance: string;
}

export interface CallOutcome {
  /** Target service (registered name) or external dependency (`postgres`). */
  to: string;
  /** Target instance id; absent for externals and for calls that found no instance. */
  toInstance?: string;
  /** Target instance's `host:port` when a request was sent to it (what an OpenTelemetry client metric names). */
  address?: string;
  /** HTTP status it answered; absent when none came back (timeout, refused connection). */
  status?: number;
  /**
   * Set when the call to a fleet service sent no request: no instance to send it to, or its
   * breaker refused. The error's class (`NoEndpointError`, `BrokenCircuitError`), what an
   * OpenTelemetry client records as `error.type`.
   */
  unsent?: string;
  latencyMs: number;
  error: boolean;
}

export interface CallSummary {
  to: string;
  toInstance?: string;
  count: number;
  errors: number;
  latencyMs: { bounds: number[]; counts: number[] };
}

/** The ingest body: one reporter's calls over one interval. */
export interface CallReport {
  reporter: Party;
  intervalStart: string;
  intervalSeconds: number;
  calls: CallSummary[];
}

/** Where reports go; pluggable so tests and benchmarks can collect them in memory. */
export interface CallReporter {
  report(report: CallReport): Promise<void>;
}

export interface CallStats {
  record(from: Party, outcome: CallOutcome): void;
  /** The reports for the interval that ends now (only callers that made calls); starts a new interval. */
  take(): CallReport[];
}

/** Index of the bucket a latency falls in: the first bound it does not exceed, else the overflow bucket. */
export function bucketOf(latencyMs: number, bounds: readonly number[] = LATENCY_BOUNDS_MS): number {
  const index = bounds.findIndex((bound) => latencyMs <= bound);
  return index < 0 ? bounds.length : index;
}

const SEPARATOR = '\u0000';

export function createCallStats(now: () => number = Date.now): CallStats {
  let intervalStart = now();
  /** caller key → target key → summary */
  let byCaller = new Map<string, { from: Party; calls: Map<string, CallSummary> }>();
  return {
    record(from, outcome) {
      const callerKey = `${from.service}${SEPARATOR}${from.instance}`;
      let caller = byCaller.get(callerKey);
      if (!caller) byCaller.set(callerKey, (caller = { from, calls: new Map() }));
      const targetKey = `${outcome.to}${SEPARATOR}${outcome.toInstance ?? ''}`;
      let summary = caller.calls.get(targetKey);
      if (!summary) {
        summary = {
          to: outcome.to,
          ...(outcome.toInstance !== undefined && { toInstance: outcome.toInstance }),
          count: 0,
          errors: 0,
          latencyMs: { bounds: [...LATENCY_BOUNDS_MS], counts: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0) },
        };
        caller.calls.set(targetKey, summary);
      }
      summary.count += 1;
      if (outcome.error) summary.errors += 1;
      const bucket = bucketOf(outcome.latencyMs);
      summary.latencyMs.counts[bucket] = (summary.latencyMs.counts[bucket] ?? 0) + 1;
    },
    take() {
      const end = now();
      const intervalSeconds = Math.round(end - intervalStart) / 1000;
      const reports = [...byCaller.values()].map(({ from, calls }) => ({
        reporter: from,
        intervalStart: new Date(intervalStart).toISOString(),
        intervalSeconds,
        calls: [...calls.values()],
      }));
      intervalStart = end;
      byCaller = new Map();
      return reports;
    },
  };
}

/**
 * POSTs each report as JSON with the API token `token()` gives; until there is one, reports are
 * dropped. The dashboard may not be up yet or may refuse: that is logged once, then silently
 * retried every interval until a report gets through.
 */
export function httpCallReporter(url: string, token: () => string | undefined, log: (message: string) => void): CallReporter {
  let failing = false;
  return {
    async report(report) {
      const bearer = token();
      if (bearer === undefined) return;
      let problem: string | undefined;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body: JSON.stringify(report),
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        if (!response.ok) problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem && !failing) log(`call stats: cannot report to ${url} (${problem}); will keep trying quietly`);
      failing = problem !== undefined;
    },
  };
}

/** At most this many reports in flight: one POST per calling instance, thousands in scale mode. */
const REPORT_CONCURRENCY = 8;

/** Every `intervalMs`, takes the interval's reports and hands them to the reporter. */
export function startReporting(stats: CallStats, reporter: CallReporter, intervalMs: number): { stop(): void } {
  const timer = setInterval(() => {
    const queue = stats.take();
    const worker = async (): Promise<void> => {
      for (let report = queue.shift(); report; report = queue.shift()) await reporter.report(report).catch(() => undefined);
    };
    for (let i = 0; i < REPORT_CONCURRENCY; i += 1) void worker();
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
