import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STORE_DIALECTS, useTestStore } from '../support/store-dialects';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, startServer, type TestServer } from '../support/server';

const PointSchema = z.object({ t: z.number(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable(), rps: z.number(), errorRate: z.number().nullable() });
type Point = z.infer<typeof PointSchema>;
const SeriesSchema = z.object({ points: z.array(PointSchema) });
const InstancesSchema = z.object({ instances: z.array(z.object({ id: z.string(), inbound: z.array(PointSchema), probe: z.array(PointSchema) })) });
const MINUTE_MS = 60_000;
/** Probe minutes close this long after they end (metrics-store/series.ts). */
const PROBE_GRACE_MS = 5_000;

let etcd: TestEtcd;
let target: HealthTarget;
let server: TestServer | undefined;
const dataDirs: string[] = [];

beforeAll(async () => {
  [etcd, target] = await Promise.all([startEtcd(), startHealthTarget()]);
  await etcd.put('/services/pay/p-1', JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(async () => {
  await Promise.all([etcd?.stop(), target?.close()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Charts {
  service: Point[];
  edge: Point[];
  inbound: Point[];
  probe: Point[];
}

/** The last hour's latency charts as a browser asks for them: service, edge, and the instance's inbound and probe series. */
async function charts(from: TestServer): Promise<Charts> {
  const get = async (url: string): Promise<unknown> => {
    const response = await from.fetch(url);
    expect(response.status).toBe(200);
    return response.json();
  };
  const [service, edge, instances] = await Promise.all([
    get('/api/v1/services/pay/latency?window=1h'),
    get('/api/v1/edges/latency?from=web&to=pay&window=1h'),
    get('/api/v1/services/pay/instances/latency?window=1h'),
  ]);
  const instance = InstancesSchema.parse(instances).instances.find((found) => found.id === 'p-1');
  if (!instance) throw new Error('p-1 is not listed');
  return { service: SeriesSchema.parse(service).points, edge: SeriesSchema.parse(edge).points, inbound: instance.inbound, probe: instance.probe };
}

const withData = (points: Point[]): Point[] => points.filter((point) => point.rps > 0);
/** The points of `after` at the times of `points` (the window moves on by the minutes the restart took). */
const sameTimes = (points: Point[], after: Point[]): Array<Point | undefined> => points.map((point) => after.find((candidate) => candidate.t === point.t));

describe.each(STORE_DIALECTS)('latency charts across a restart on %s', (dialect) => {
  const testStore = useTestStore(dialect);

  it('serves the last hour identical (same points) after the server restarts', async () => {
    const location = await testStore.fresh();
    const start = async (): Promise<TestServer> => {
      // On PostgreSQL each start gets an empty data dir: what survives can only have come from the database.
      const dataDir = location.url !== undefined ? mkdtempSync(path.join(os.tmpdir(), 'switchyard-series-it-')) : path.dirname(location.file);
      if (location.url !== undefined) dataDirs.push(dataDir);
      const started = await startServer({
        etcdEndpoints: etcd.endpoints,
        dataDir,
        env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', ...(location.url !== undefined ? { DATABASE_URL: location.url } : {}) },
      });
      await eventually(async () => ((await started.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
      return started;
    };

    server = await start();
    const first = server;
    // Four minutes of calls web → pay (instance p-1), ending 5 s ago: the older minutes close (90 s grace) while the server runs, the newest are open when it stops.
    const ingest = await first.fetch('/api/v1/ingest/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        reporter: { service: 'web', instance: 'web-1' },
        intervalStart: new Date(Date.now() - 245_000).toISOString(),
        intervalSeconds: 240,
        calls: [{ to: 'pay', toInstance: 'p-1', count: 2_400, errors: 24, latencyMs: { bounds: [5, 10, 50, 100, 500], counts: [900, 800, 500, 150, 45, 5] } }],
      }),
    });
    expect(ingest.status).toBe(202);
    // Probes run every 500 ms: wait until a minute of them has ended and closed.
    const before = await eventually(async () => {
      const readAt = Date.now();
      const read = await charts(first);
      const closedProbeMinutes = withData(read.probe).filter((point) => point.t + MINUTE_MS + PROBE_GRACE_MS <= readAt);
      return closedProbeMinutes.length > 0 ? { read, closedProbeMinutes } : undefined;
    }, 90_000, 'a closed minute of probes');
    expect(withData(before.read.service).length).toBeGreaterThanOrEqual(4);

    expect(await first.stop()).toBe(0);
    server = await start();
    const second = server;
    const after = await charts(second);

    // Nothing was reported after the stop: the call charts are the same points wherever both windows reach.
    for (const kind of ['service', 'edge', 'inbound'] as const) {
      expect(withData(before.read[kind]).length).toBeGreaterThan(0);
      expect(sameTimes(before.read[kind], after[kind]).filter((point) => point !== undefined)).toEqual(
        before.read[kind].filter((point) => after[kind].some((candidate) => candidate.t === point.t)),
      );
      expect(sameTimes(withData(before.read[kind]), after[kind])).toEqual(withData(before.read[kind]));
    }
    // Probing goes on, so the minute it is in moves on; every minute it had closed comes back the same.
    expect(sameTimes(before.closedProbeMinutes, after.probe)).toEqual(before.closedProbeMinutes);
    expect(second.output()).toMatch(/latency series: restored [1-9]\d* minute slot\(s\)/);
  }, 240_000);
});

const TopologySchema = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.string() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), sources: z.array(z.string()) })),
});

describe('the map and the charts after a restart on sqlite', () => {
  const testStore = useTestStore('sqlite');

  /** A server on `file`'s data dir, ready. */
  const startOn = async (file: string): Promise<TestServer> => {
    const started = await startServer({ etcdEndpoints: etcd.endpoints, dataDir: path.dirname(file) });
    await eventually(async () => ((await started.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
    return started;
  };
  /** Four minutes of calls from `reporter` to pay's p-1 (registered) and to ghost-db (not), ending 5 s ago. */
  const report = async (to: TestServer, reporter: string): Promise<void> => {
    const call = (callee: string) => ({ to: callee, ...(callee === 'pay' ? { toInstance: 'p-1' } : {}), count: 2_400, errors: 24, latencyMs: { bounds: [5, 10, 50, 100, 500], counts: [900, 800, 500, 150, 45, 5] } });
    const response = await to.fetch('/api/v1/ingest/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reporter: { service: reporter, instance: `${reporter}-1` }, intervalStart: new Date(Date.now() - 245_000).toISOString(), intervalSeconds: 240, calls: [call('pay'), call('ghost-db')] }),
    });
    expect(response.status).toBe(202);
  };
  /** A server on a fresh SQLite file that had `report(…, 'web')`, stopped cleanly and started again on it. */
  const restartedAfterWebsCalls = async (): Promise<TestServer> => {
    const { file } = await testStore.fresh();
    if (file === undefined) throw new Error('expected a SQLite file');
    server = await startOn(file);
    await report(server, 'web');
    expect(await server.stop()).toBe(0);
    return startOn(file);
  };
  const topology = async (from: TestServer) => TopologySchema.parse(await (await from.fetch('/api/v1/topology')).json());

  it('draws no edge and no not-registered node the restarted server knows only from persisted minutes', async () => {
    const { file } = await testStore.fresh();
    if (file === undefined) throw new Error('expected a SQLite file');
    server = await startOn(file);
    await report(server, 'old-web');
    const before = await topology(server);
    expect(before.edges.map(({ from, to }) => `${from}>${to}`)).toEqual(['old-web>ghost-db', 'old-web>pay']);
    expect(before.nodes.map((node) => node.id)).toEqual(['ghost-db', 'old-web', 'pay']);

    expect(await server.stop()).toBe(0);
    server = await startOn(file);
    expect(server.output()).toMatch(/latency series: restored [1-9]\d* minute slot\(s\)/);
    // The store still knows the calls (their charts), but nobody has called since: the map is the registry alone.
    const edgeHour = SeriesSchema.parse(await (await server.fetch('/api/v1/edges/latency?from=old-web&to=ghost-db&window=1h')).json()).points;
    expect(withData(edgeHour).length).toBeGreaterThanOrEqual(4);
    expect(await topology(server)).toMatchObject({ nodes: [{ id: 'pay', kind: 'service' }], edges: [] });
    expect((await (await server.fetch('/api/v1/topology?observed=only')).json()) as unknown).toEqual({ edges: [] });
    // A new caller's first report puts it, and the dependency it names, on the map at once.
    await report(server, 'new-web');
    expect((await topology(server)).edges.map(({ from, to }) => `${from}>${to}`)).toEqual(['new-web>ghost-db', 'new-web>pay']);
  }, 120_000);

  it('shows the calls from before the restart in the 5 and 15 min windows, as the 1 h window has them', async () => {
    server = await restartedAfterWebsCalls();
    const restarted = server;
    const seriesOf = async (url: string): Promise<Point[]> => SeriesSchema.parse(await (await restarted.fetch(url)).json()).points;
    const inboundOf = async (window: string): Promise<Point[]> => {
      const instances = InstancesSchema.parse(await (await restarted.fetch(`/api/v1/services/pay/instances/latency?window=${window}`)).json()).instances;
      return instances.find((found) => found.id === 'p-1')?.inbound ?? [];
    };
    const read = async (window: string) => ({
      service: await seriesOf(`/api/v1/services/pay/latency?window=${window}`),
      edge: await seriesOf(`/api/v1/edges/latency?from=web&to=pay&window=${window}`),
      inbound: await inboundOf(window),
    });
    const hour = await read('1h');
    for (const window of ['5m', '15m']) {
      const seconds = await read(window);
      for (const kind of ['service', 'edge', 'inbound'] as const) {
        const from = seconds[kind][0]?.t ?? Number.POSITIVE_INFINITY;
        const minutes = withData(hour[kind]).filter((minute) => minute.t >= from);
        expect(minutes.length, `${window} ${kind}`).toBeGreaterThanOrEqual(3);
        // Each minute's first second reads as the minute: its error rate and percentiles.
        const percentilesOf = (point: Point | undefined) => ({ errorRate: point?.errorRate, p50Ms: point?.p50Ms, p95Ms: point?.p95Ms, p99Ms: point?.p99Ms });
        expect(sameTimes(minutes, seconds[kind]).map(percentilesOf), `${window} ${kind}`).toEqual(minutes.map(percentilesOf));
        // And its seconds hold its calls (the minute the restart fell in: over its seconds before the restart).
        for (const minute of minutes) {
          const drawn = seconds[kind].filter((second) => second.t >= minute.t && second.t < minute.t + MINUTE_MS).reduce((sum, second) => sum + second.rps, 0);
          expect(drawn, `${window} ${kind} ${minute.t}`).toBeCloseTo(minute.rps * 60, 0);
        }
      }
    }
  }, 120_000);

  it("adds a report after the restart reaching back into the minutes before it to their calls, in the 1 h and the 15 min windows: the two runs' calls are different calls", async () => {
    server = await restartedAfterWebsCalls();
    // The restarted server's first report covers the 4 minutes up to now, as an SDK's first export after a restart covers its interval.
    await report(server, 'web');
    const restarted = server;
    const callsIn = async (window: '1h' | '15m'): Promise<number> => {
      const { points } = SeriesSchema.parse(await (await restarted.fetch(`/api/v1/services/pay/latency?window=${window}`)).json());
      const stepSeconds = window === '1h' ? 60 : 1;
      return points.reduce((sum, point) => sum + point.rps * stepSeconds, 0);
    };
    expect(await callsIn('1h')).toBeCloseTo(2 * 2_400, -1);
    expect(await callsIn('15m')).toBeCloseTo(2 * 2_400, -1);
  }, 120_000);
});
