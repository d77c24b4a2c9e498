import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { z } from 'zod';
import { launchBrowser } from '../tests/support/browser';
import { ADMIN_PASSWORD, eventually, startServer, type TestServer } from '../tests/support/server';
import { cpuProfileArgs } from './child-argv';
import { startAcceptor } from './scale-acceptor';
import { buildGoPutter } from './scale-putter';
import { measurePage, type PageResult } from './scale-browser';
import { cpuLine, runFanout, type FanoutResult } from './scale-fanout';
import { loadFleet, type FleetPlan } from './scale-fleet';
import { perViewProtocol } from './scale-viewer-per-view';
import { median } from './stats';

/**
 * Issue 19 at its full size: 100,000 instances in 10,000 services in a real etcd, the real
 * production server (server.ts, Next's production build), Chromium, and 100 Socket.IO viewers in
 * separate processes. Each figure beside a baseline from the same run: the raw etcd listing for the
 * sync, a raw etcd watcher for put → viewer latency. `SCALE_*` variables make a smaller run for
 * development (see ScalePlanSchema); the report says when a run was not the issue's size.
 */

const PREFIX = '/services/';
const ROOT = path.resolve(import.meta.dirname, '..');

export const TARGET_SYNC_RATIO = 3;
export const TARGET_RSS_BYTES = 1024 * 1024 * 1024;
export const TARGET_PAINT_MS = 2_000;
export const TARGET_MESSAGE_BYTES = 2 * 1024 * 1024;
export const TARGET_P99_MARGIN_MS = 20;
export const TARGET_FIRST_VIEW_MS = 2_000;

const count = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
export const ScalePlanSchema = z.object({
  SCALE_SERVICES: count(20_000, 10_000),
  SCALE_INSTANCES_PER_SERVICE: count(20, 10),
  SCALE_VIEWERS: count(200, 100),
  SCALE_VIEWER_PROCESSES: count(8, 4),
  SCALE_PUTS_PER_SECOND: count(2_000, 1_000),
  SCALE_PUT_SECONDS: count(30, 10),
});
export type ScalePlan = z.infer<typeof ScalePlanSchema>;
export const DEFAULT_PLAN: ScalePlan = ScalePlanSchema.parse({});
/** The services the fan-out's puts go to, and that its viewers show. */
const HOT_SERVICES = 4;

export interface ScaleResult {
  plan: ScalePlan;
  protocol: string;
  chromium: string;
  load: { keys: number; ms: number; transactions: number; valueBytes: number };
  rawListMs: number[];
  /** Server process spawned → registry synced (`/readyz` `since`), on an empty prefix and on the fleet. */
  startToSyncedEmptyMs: number;
  startToSyncedMs: number;
  rssAfterSync: number;
  rssAfterPages: number;
  rssAfterConnect: number;
  rssAfterFanout: number;
  peakRss: number;
  mapLaidOutByServer: boolean;
  pages: PageResult[];
  /** What the fan-out measured, or why it could not finish (a server that ran out of memory is a result too). */
  fanout: FanoutResult | { error: string };
  /** The peak RSS read before the fan-out, in case the server did not survive it. */
  peakRssBeforeFanout: number;
}

/** The server process's RSS and its peak (VmHWM); zeros once it has exited. */
function memory(pid: number | undefined): { rss: number; peak: number } {
  let status = '';
  try {
    if (pid !== undefined) status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, peak: 0 };
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts the production server and returns it with spawn → registry synced, from the server's own `since`. */
async function startSynced(etcdEndpoint: string, expected: number): Promise<{ server: TestServer; startToSyncedMs: number }> {
  const spawnedAt = Date.now();
  // Probes would compete for the two cores with everything measured: one per instance per 10 minutes, each passing (bench/scale-acceptor.ts).
  const server = await startServer({ etcdEndpoints: [etcdEndpoint], env: { SWITCHYARD_PROBE_INTERVAL_MS: '600000', SWITCHYARD_PREFIXES: PREFIX }, nodeArgs: cpuProfileArgs() });
  try {
    const since = await eventually(
      async () => {
        const body = z.object({ registry: z.object({ state: z.string(), since: z.string() }) }).parse(await (await server.fetch('/readyz')).json());
        return body.registry.state === 'synced' ? body.registry.since : undefined;
      },
      120_000,
      'the registry synced',
    );
    const instances = await eventually(async () => {
      const text = await (await server.fetch('/metrics')).text();
      const known = Number(/^switchyard_instances_known (\d+)/m.exec(text)?.[1] ?? -1);
      return known === expected ? known : undefined;
    }, 30_000, `${expected} instances known`);
    if (instances !== expected) throw new Error(`server knows ${instances} instances, expected ${expected}`);
    return { server, startToSyncedMs: Date.parse(since) - spawnedAt };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function runScaleBench(options: { etcdEndpoint: string; etcdPid?: number; log: (message: string) => void }): Promise<ScaleResult> {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) throw new Error('the scale benchmark needs a production build: run `npx next build` first');
  const plan = ScalePlanSchema.parse(process.env);
  const acceptor = await startAcceptor();
  const goPutter = await buildGoPutter().catch((error: unknown) => {
    options.log(`scale: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}; the puts come from this process instead`);
    return undefined;
  });
  const fleetPlan: FleetPlan = { services: plan.SCALE_SERVICES, instancesPerService: plan.SCALE_INSTANCES_PER_SERVICE, port: acceptor.port };
  // Unlimited receive size: the baseline takes the whole prefix in one response, however large.
  const client = new Etcd3({ hosts: options.etcdEndpoint, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
  let server: TestServer | undefined;
  try {
    await client.delete().prefix(PREFIX);
    options.log('scale: server start → synced on an empty registry (the start-up cost without the fleet)');
    // Twice, the faster kept: the fixed cost of a start on a shared machine, so the sync is not flattered.
    const emptyStarts: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const empty = await startSynced(options.etcdEndpoint, 0);
      await empty.server.stop();
      emptyStarts.push(empty.startToSyncedMs);
    }
    const startToSyncedEmptyMs = Math.min(...emptyStarts);

    const loadStarted = performance.now();
    const fleet = await loadFleet(client, PREFIX, fleetPlan);
    const load = { keys: fleet.keys, ms: performance.now() - loadStarted, transactions: fleet.transactions, valueBytes: fleet.valueBytes };
    options.log(`scale: ${fleet.keys.toLocaleString('en-US')} instances in ${fleet.services.length.toLocaleString('en-US')} services written in ${load.ms.toFixed(0)} ms (${fleet.transactions} transactions)`);

    const rawListMs: number[] = [];
    for (let i = 0; i <= 3; i += 1) {
      const t0 = performance.now();
      const listed = await client.getAll().prefix(PREFIX).exec();
      if (listed.kvs.length !== fleet.keys) throw new Error(`raw listing returned ${listed.kvs.length} keys, expected ${fleet.keys}`);
      if (i > 0) rawListMs.push(performance.now() - t0); // the first also opens the connection: warm-up
    }

    const started = await startSynced(options.etcdEndpoint, fleet.keys);
    server = started.server;
    const rssAfterSync = memory(server.pid).rss;
    options.log(`scale: server start → synced ${started.startToSyncedMs} ms (empty registry: ${startToSyncedEmptyMs} ms; raw listing ${median(rawListMs).toFixed(0)} ms); RSS ${(rssAfterSync / 2 ** 20).toFixed(0)} MB`);
    // A server running for more than a few seconds has laid out the map's default view; wait for that, bounded.
    const running = server;
    const mapLaidOutByServer = await eventually(() => (running.output().includes('topology layout: placed') ? true : undefined), 120_000, 'the server’s layout of the map').catch(() => false);

    const browser = await launchBrowser();
    const chromium = `Chromium ${browser.version()}`;
    const pages: PageResult[] = [];
    try {
      const cookie = await server.login('admin', ADMIN_PASSWORD);
      const shown = fleet.services[Math.floor(fleet.services.length / 2)] ?? '';
      for (const [kind, pagePath] of [['list', '/services'], ['map', '/'], ['service', `/services/${encodeURIComponent(shown)}`]] as const) {
        const page = await measurePage(browser, server.url, cookie, kind, pagePath);
        options.log(`scale: ${kind} first useful paint ${page.firstUsefulPaintMs?.toFixed(0) ?? '—'} ms, document ${(page.documentBytes / 2 ** 20).toFixed(1)} MB, largest socket message ${(page.largestSocketMessage / 2 ** 20).toFixed(1)} MB${page.error ? ` (${page.error})` : ''}`);
        pages.push(page);
      }
    } finally {
      await browser.close();
    }
    const rssAfterPages = memory(server.pid).rss;

    const token = await server.createToken({ name: 'scale-viewers', role: 'viewer' });
    const hot = Array.from({ length: HOT_SERVICES }, (_, k) => fleet.services[Math.floor(((k + 0.5) * fleet.services.length) / HOT_SERVICES)] ?? '');
    let rssAfterConnect = 0;
    const measuredServer = server;
    const peakRssBeforeFanout = memory(server.pid).peak;
    const fanout = await runFanout({
      plan: {
        viewers: plan.SCALE_VIEWERS,
        processes: Math.min(plan.SCALE_VIEWER_PROCESSES, plan.SCALE_VIEWERS),
        putsPerSecond: plan.SCALE_PUTS_PER_SECOND,
        seconds: plan.SCALE_PUT_SECONDS,
        services: hot,
        prefix: PREFIX,
        firstViewTimeoutMs: 180_000,
        port: acceptor.port,
      },
      url: server.url,
      token,
      etcdEndpoint: options.etcdEndpoint,
      putter: client,
      log: options.log,
      afterConnect: async () => {
        rssAfterConnect = memory(measuredServer.pid).rss;
      },
      pids: { server: server.pid, etcd: options.etcdPid },
      goPutter,
    }).catch((error: unknown) => ({ error: `${error instanceof Error ? error.message : String(error)}`.slice(0, 2_000) }));
    const after = memory(server.pid);
    options.log(
      'error' in fanout
        ? `scale: fan-out failed: ${fanout.error.split('\n')[0] ?? ''}`
        : `scale: fan-out raw p99 ${fanout.raw?.p99.toFixed(1) ?? '—'} ms, ours p99 ${fanout.ours?.p99.toFixed(1) ?? '—'} ms, missing ${fanout.oursMissing}; server loop p99 ${fanout.serverLoopDelay?.p99Ms.toFixed(0) ?? '—'} ms, max ${fanout.serverLoopDelay?.maxMs.toFixed(0) ?? '—'} ms; RSS ${(after.rss / 2 ** 20).toFixed(0)} MB, peak ${(after.peak / 2 ** 20).toFixed(0)} MB; CPU during the puts: ${cpuLine(fanout.cpuDuringPuts)}`,
    );
    return {
      plan,
      protocol: perViewProtocol.name,
      chromium,
      load,
      rawListMs,
      startToSyncedEmptyMs,
      startToSyncedMs: started.startToSyncedMs,
      rssAfterSync,
      rssAfterPages,
      rssAfterConnect,
      rssAfterFanout: after.rss,
      peakRss: after.peak,
      mapLaidOutByServer,
      pages,
      fanout,
      peakRssBeforeFanout,
    };
  } finally {
    await server?.stop();
    await client.delete().prefix(PREFIX).catch(() => undefined);
    client.close();
    await acceptor.close();
    goPutter?.remove();
  }
}
