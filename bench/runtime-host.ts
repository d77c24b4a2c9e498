// Child process: the product's runtime (startRuntime: etcd client → registry → store → live hub)
// on a plain node:http server, driven by bench/host.ts over IPC. Not imported by anything else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '@/lib/server/config';
import { startRuntime, type RunningRuntime } from '@/lib/server/start-runtime';
import { ParentMessageSchema, type HostMessage } from './host';

const SYNC_TIMEOUT_MS = 60_000;

const reply = (message: HostMessage): void => {
  process.send?.(message);
};

let peakRss = 0;
const sampleRss = (): number => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  return rss;
};

async function main(): Promise<void> {
  const endpoint = process.env.BENCH_ETCD_ENDPOINT;
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!endpoint || !dataDir) throw new Error('BENCH_ETCD_ENDPOINT and BENCH_DATA_DIR are required');
  // Only what the benchmark sets: everything else is the product's default.
  const config = loadConfig({
    ETCD_ENDPOINTS: endpoint,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    ...(process.env.SWITCHYARD_COALESCE_MS ? { SWITCHYARD_COALESCE_MS: process.env.SWITCHYARD_COALESCE_MS } : {}),
  });
  const sampler = setInterval(sampleRss, 50);
  sampler.unref();

  const started = performance.now();
  const runtime: RunningRuntime = await startRuntime(config);
  let syncTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    runtime.registry.synced(),
    new Promise<never>((_, reject) => {
      syncTimer = setTimeout(() => reject(new Error(`registry not synced within ${SYNC_TIMEOUT_MS} ms`)), SYNC_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(syncTimer);
  const syncMs = performance.now() - started;
  const rssAfterSync = sampleRss();

  const server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  runtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, config.HOST, resolve));
  const { port } = server.address() as AddressInfo;
  // Subscribed after the live hub, so this runs right after the hub handed the delta to Socket.IO.
  const emitted: { seqs: number[]; emittedAt: number[] } = { seqs: [], emittedAt: [] };
  runtime.store.subscribe((delta) => {
    emitted.seqs.push(delta.seq);
    emitted.emittedAt.push(performance.timeOrigin + performance.now());
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let cpuSince = process.cpuUsage();
  let wallSince = performance.now();

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(sampler);
    loopDelay.disable();
    server.closeAllConnections();
    await runtime.stop();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    process.exit(0);
  };

  process.on('message', (raw) => {
    const parsed = ParentMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'stop') {
      void stop();
      return;
    }
    if (message.type === 'phase-stats') {
      const nsToMs = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
      const cpu = process.cpuUsage(cpuSince);
      const wallNow = performance.now();
      reply({
        type: 'phase-stats',
        ...emitted,
        loopDelayP99Ms: nsToMs(loopDelay.percentile(99)),
        loopDelayMaxMs: nsToMs(loopDelay.max),
        cpuMs: (cpu.user + cpu.system) / 1_000,
        wallMs: wallNow - wallSince,
      });
      cpuSince = process.cpuUsage();
      wallSince = wallNow;
      emitted.seqs = [];
      emitted.emittedAt = [];
      loopDelay.reset();
      return;
    }
    const buildMs: number[] = [];
    const stringifyMs: number[] = [];
    let bytes = 0;
    let services = 0;
    let instances = 0;
    const revision = runtime.store.revision();
    for (let i = 0; i < message.repeats; i += 1) {
      // The store shares one build until something changes: a revision bump makes each a full build.
      runtime.store.setRevision(`${revision}.${i}`);
      const t0 = performance.now();
      const snapshot = runtime.store.snapshot();
      const t1 = performance.now();
      const json = JSON.stringify(snapshot);
      const t2 = performance.now();
      buildMs.push(t1 - t0);
      stringifyMs.push(t2 - t1);
      bytes = Buffer.byteLength(json);
      services = snapshot.services.length;
      instances = snapshot.services.reduce((total, service) => total + service.instances.length, 0);
    }
    runtime.store.setRevision(revision);
    const rss = sampleRss();
    reply({ type: 'snapshot-measured', buildMs, stringifyMs, bytes, services, instances, rss, peakRss, heapUsed: process.memoryUsage().heapUsed });
  });
  // The parent went away without saying stop: do not outlive it.
  process.on('disconnect', () => void stop());

  const { secret: token } = await runtime.auth.tokens.create({ name: 'bench', role: 'viewer' }, 'bench');
  reply({ type: 'ready', port, coalesceMs: config.SWITCHYARD_COALESCE_MS, syncMs, instances: runtime.store.instanceCount(), rssAfterSync, token });
}

main().catch((error: unknown) => {
  reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
