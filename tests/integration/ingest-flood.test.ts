import { afterAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { probeHealthUntil } from '../support/health-probe';
import { startIngestFlood, type IngestFlood } from '../support/ingest-flood';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Issue 13, finding 3: clients flooding ingest from ever new reporters made each look of the map's
 * layout place every newcomer by testing up to ~2,400 candidate spots against every node drawn,
 * in one piece on the event loop, and `/healthz` timed out.
 *
 * The flood: 16 concurrent clients from distinct reporters for 30 s, each posting a batch
 * every 250 ms (64 requests/s), every batch a newcomer node or a new caller→callee pair for the map
 * (`tests/support/ingest-flood-process.ts`: 80 reporters per client, 1,280 nodes — below the 1,500
 * where the map groups by namespace). The flood runs in its own process, so this one only probes.
 */
const FLOOD_MS = 30_000;
const CLIENTS = 16;
const BATCH_EVERY_MS = 250;
const REPORTERS_PER_CLIENT = 80;
const CALLEES = ['users', 'orders', 'billing'];
const HEALTH_EVERY_MS = 50;
/** A `/healthz` that has not answered by then counts as this slow (and the test fails). */
const HEALTH_TIMEOUT_MS = 5_000;
/**
 * The 250 ms, for `/healthz` as this process sees it, and for the server's own event-loop
 * delay (`monitorEventLoopDelay`, via /metrics): how long any request waits for the loop.
 */
const HEALTH_P99_MS = 250;
const LOOP_DELAY_P99_MS = 250;

let etcd: TestEtcd;
let server: TestServer;
/** What `arrange` started, in the order to stop it: the server before its etcd. */
const started: { stop(): Promise<unknown> }[] = [];

/**
 * An etcd, a server and the map's first layout of their own per attempt: on a retry's server the
 * flood's reporters were no longer newcomers (nothing to place), and new names would take the map
 * past the 1,500 nodes where it groups by namespace, another path than the one tested.
 */
async function arrange(): Promise<void> {
  etcd = await startEtcd();
  started.push(etcd);
  for (const service of ['users', 'orders', 'billing']) await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address: '127.0.0.1:9001' }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  started.unshift(server);
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
  // The map's first layout (all nodes at once, ELK) happens before the flood: the flood's reporters
  // are then newcomers, placed around what is there — the path that stalled.
  await postBatch('gateway-0', ['users', 'orders']);
  await eventually(() => (placements() > 0 ? true : undefined), 30_000, 'the first layout');
}

async function stopArranged(): Promise<void> {
  for (const one of started.splice(0)) await one.stop();
}

afterAll(async () => {
  await stopArranged();
});

/** How many times the server's layout cache placed nodes, from its log. */
const placements = (): number => server.output().match(/topology layout: placed \d+ of \d+ nodes/g)?.length ?? 0;

const postBatch = (reporter: string, callees: string[]): Promise<Response> =>
  server.fetch(`/api/v1/ingest/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      reporter: { service: reporter, instance: `${reporter}-1` },
      intervalStart: new Date(Date.now() - 5_000).toISOString(),
      intervalSeconds: 5,
      calls: callees.map((to) => ({ to, count: 10, errors: 0, latencyMs: { bounds: [5, 10, 50, 100], counts: [4, 3, 2, 1, 0] } })),
    }),
    signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
  });

describe('ingest flood', () => {
  it(`keeps /healthz p99 and the event loop's delay p99 under ${HEALTH_P99_MS} ms while ${CLIENTS} clients post from distinct reporters for ${FLOOD_MS / 1_000} s`, async () => {
    let flood: IngestFlood | undefined;
    try {
      await arrange();
      const placedBefore = placements();
      // Scraping resets the server's event-loop delay histogram: the next scrape covers the flood alone.
      await (await server.fetch('/metrics')).text();
      const flooded = startIngestFlood({ url: server.url, token: server.adminToken, clients: CLIENTS, durationMs: FLOOD_MS, batchEveryMs: BATCH_EVERY_MS, reportersPerClient: REPORTERS_PER_CLIENT, callees: CALLEES });
      flood = flooded;
      const probing = probeHealthUntil(server, flooded.done, HEALTH_EVERY_MS, HEALTH_TIMEOUT_MS);
      const { accepted, refused } = await flooded.done;
      const health = await probing;

      const loopDelayP99 = Number(/^switchyard_process_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(await (await server.fetch('/metrics')).text())?.[1]) * 1_000;
      const sorted = [...health].sort((a, b) => a - b);
      const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1] ?? Infinity;
      const p50 = sorted[Math.ceil(sorted.length * 0.5) - 1] ?? Infinity;
      console.info(`ingest flood: ${accepted} accepted, ${refused} refused; /healthz p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${(sorted.at(-1) ?? Infinity).toFixed(0)} ms over ${health.length} probes; event-loop delay p99 ${loopDelayP99.toFixed(0)} ms`);
      // The flood happened and the map had newcomers to place, or the bounds prove nothing.
      expect(accepted).toBeGreaterThan((CLIENTS * FLOOD_MS) / BATCH_EVERY_MS / 2);
      expect(refused).toBe(0);
      expect(placements(), 'the layout placed newcomers during the flood').toBeGreaterThan(placedBefore);
      expect(sorted.at(-1), 'no /healthz timed out').toBeLessThan(HEALTH_TIMEOUT_MS);
      expect(health.length, 'probes answered').toBeGreaterThan(FLOOD_MS / HEALTH_EVERY_MS / 4);
      expect(loopDelayP99, 'event-loop delay p99 (ms)').toBeLessThanOrEqual(LOOP_DELAY_P99_MS);
      expect(p99, `healthz p99 over ${health.length} probes`).toBeLessThanOrEqual(HEALTH_P99_MS);
    } finally {
      // Whatever happened: no flood, server or etcd of this attempt outlives it.
      await flood?.kill();
      await stopArranged();
    }
  }, 180_000);
});
