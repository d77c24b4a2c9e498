// Child process: probes the targets either with the product's prober (store + health tracker +
// createProber, as startRuntime wires them) or with the naive loop it is compared with. One mode
// per process, so each one's CPU and event loop are its own.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createHealthTracker } from '@/lib/server/health';
import { loadConfig } from '@/lib/server/config';
import { createMetricsStore } from '@/lib/server/metrics-store/store';
import { createProber } from '@/lib/server/prober/prober';
import { createStore } from '@/lib/server/store/store';
import { ChildMessageSchema, ProbeRunSchema, type ChildMessage, type ProbeRun } from './probing-messages';
import { summarize } from './stats';

const MAX_CAUSES = 5;
// Not bench/clients.ts' sleep: that module loads etcd3 and socket.io-client, which would show in this process' RSS.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const reply = (message: ChildMessage): void => {
  process.send?.(ChildMessageSchema.parse(message));
};

/** What both modes record while the window is open. */
function createTally() {
  const results: number[] = [];
  const causes = new Set<string>();
  let measuring = false;
  let failed = 0;
  return {
    open() {
      measuring = true;
    },
    close() {
      measuring = false;
    },
    add(ok: boolean, ms: number, cause?: string) {
      if (!measuring) return;
      results.push(ms);
      if (ok) return;
      failed += 1;
      if (cause && causes.size < MAX_CAUSES) causes.add(cause);
    },
    summary() {
      const times = results.length > 0 ? summarize(results) : undefined;
      return { probes: results.length, failed, causes: [...causes], resultP50Ms: times?.p50 ?? 0, resultP99Ms: times?.p99 ?? 0 };
    },
  };
}

async function measure(run: ProbeRun, tally: ReturnType<typeof createTally>, midway: () => void): Promise<{ cpuMs: number; wallMs: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> {
  await sleep(run.warmupMs);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  tally.open();
  await sleep(run.measureMs / 2);
  midway();
  await sleep(run.measureMs / 2);
  tally.close();
  const used = process.cpuUsage(cpu);
  loopDelay.disable();
  return {
    cpuMs: (used.user + used.system) / 1_000,
    wallMs: performance.now() - wall,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
}

async function runProber(run: ProbeRun): Promise<ChildMessage> {
  // The product's defaults: interval, timeout, concurrency, deny list.
  const config = loadConfig({});
  const store = createStore({ coalesceMs: config.SWITCHYARD_COALESCE_MS });
  run.addresses.forEach((address, i) => {
    const service = `bench-probe-${i % 50}`;
    store.upsertKey({ etcdKey: `/services/${service}/i-${i}`, lease: undefined, registrations: [{ service, id: `i-${i}`, address, format: 'native', metadata: {}, health: { http: '/healthz' } }] });
  });
  store.flush();
  const tally = createTally();
  const latency = run.mode === 'wired' ? createMetricsStore() : undefined;
  const prober = createProber({
    store,
    tracker: createHealthTracker({ store, publish: (key, facts) => store.setHealth(key, facts) }),
    onResult: (key, result) => {
      latency?.recordProbe(key, Date.parse(result.at), result.latencyMs, result.ok);
      tally.add(result.ok, result.latencyMs, result.error);
    },
    intervalMs: config.SWITCHYARD_PROBE_INTERVAL_MS,
    timeoutMs: config.SWITCHYARD_PROBE_TIMEOUT_MS,
    concurrency: config.SWITCHYARD_PROBE_CONCURRENCY,
    denyCidrs: config.SWITCHYARD_PROBE_DENY_CIDRS,
    etcdEndpoints: [],
  });
  await prober.start();
  let firstHalf = prober.stats();
  const window = await measure(run, tally, () => (firstHalf = prober.stats()));
  const secondHalf = prober.stats();
  await prober.stop();
  store.close();
  return {
    type: 'measured',
    mode: run.mode,
    intervalMs: config.SWITCHYARD_PROBE_INTERVAL_MS,
    timeoutMs: config.SWITCHYARD_PROBE_TIMEOUT_MS,
    concurrency: config.SWITCHYARD_PROBE_CONCURRENCY,
    ...window,
    ...tally.summary(),
    lagP99Ms: Math.max(firstHalf.lagP99Ms, secondHalf.lagP99Ms),
    lagMaxMs: Math.max(firstHalf.lagMaxMs, secondHalf.lagMaxMs),
    rssBytes: process.memoryUsage.rss(),
  };
}

/** The baseline: every target fetched at once on every tick, no pacing, no concurrency bound. */
async function runNaive(run: ProbeRun): Promise<ChildMessage> {
  const { SWITCHYARD_PROBE_INTERVAL_MS: intervalMs, SWITCHYARD_PROBE_TIMEOUT_MS: timeoutMs } = loadConfig({});
  const urls = run.addresses.map((address) => `http://${address}/healthz`);
  const tally = createTally();
  const tick = (): void => {
    const planned = performance.now();
    void Promise.all(
      urls.map((url) =>
        fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
          .then(async (response) => {
            await response.arrayBuffer();
            tally.add(response.ok, performance.now() - planned, response.ok ? undefined : `HTTP ${response.status}`);
          })
          .catch((error: unknown) => tally.add(false, performance.now() - planned, error instanceof Error ? error.message : String(error))),
      ),
    );
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  const window = await measure(run, tally, () => undefined);
  clearInterval(timer);
  return {
    type: 'measured',
    mode: 'naive',
    intervalMs,
    timeoutMs,
    concurrency: null,
    ...window,
    ...tally.summary(),
    lagP99Ms: null,
    lagMaxMs: null,
    rssBytes: process.memoryUsage.rss(),
  };
}

process.once('message', (raw) => {
  const run = ProbeRunSchema.parse(raw);
  (run.mode === 'naive' ? runNaive(run) : runProber(run)).then(
    (message) => {
      reply(message);
      setTimeout(() => process.exit(0), 100).unref();
    },
    (error: unknown) => {
      reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      setTimeout(() => process.exit(1), 100).unref();
    },
  );
});
process.on('disconnect', () => process.exit(0));
