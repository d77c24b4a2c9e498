import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcHealthServer, type GrpcHealthAnswer, type GrpcHealthServer } from '@/demo/grpc-health';
import { DEFAULT_THRESHOLDS } from '@/lib/model/health-state';
import type { Instance, Status } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { loadConfig } from '@/lib/server/config';
import { createHealthTracker, type HealthChange } from '@/lib/server/health';
import { createProbePolicy } from '@/lib/server/prober/policy';
import { createProber, type Prober } from '@/lib/server/prober/prober';
import { createProbeRunner } from '@/lib/server/prober/probe-runner';
import { probeTargetFor } from '@/lib/server/prober/target';
import { startRuntime } from '@/lib/server/start-runtime';
import { createStore, type Store } from '@/lib/server/store/store';
import { startEtcd } from '../support/etcd';
import { refusedPort } from '../support/ports';

const INTERVAL_MS = 250;
const TIMEOUT_MS = 300;
/** A loaded 2-core machine may run timers and sockets this late. */
const SLACK_MS = 1_500;
const { passAfter, failAfter } = DEFAULT_THRESHOLDS;
/** First probe within one interval (jitter), then one per interval, the last one taking up to the timeout. */
const budgetFor = (probesNeeded: number): number => INTERVAL_MS * probesNeeded + TIMEOUT_MS + SLACK_MS;
const DENY_TEST_IP = '127.0.0.2';

// --- loopback targets ---------------------------------------------------------------------------

const closers: (() => void)[] = [];

async function listen<T extends HttpServer | NetServer>(server: T, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(() => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

const httpTarget = (handler: RequestListener): Promise<number> => listen(createHttpServer(handler));

/** A raw TCP target; counts the connections it accepted. */
async function tcpTarget(onConnection: (socket: Socket) => void = () => undefined, host = '127.0.0.1') {
  const sockets = new Set<Socket>();
  const target = { port: 0, connections: 0 };
  const server = createNetServer((socket) => {
    target.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  target.port = await listen(server, host);
  closers.push(() => sockets.forEach((socket) => socket.destroy()));
  return target;
}

async function grpcTarget(answer: () => GrpcHealthAnswer): Promise<number> {
  const server: GrpcHealthServer = await startGrpcHealthServer(answer);
  closers.push(() => server.stop());
  return server.port;
}

function trickle(socket: Socket): void {
  socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
  const timer = setInterval(() => socket.write('x'), 200);
  socket.on('close', () => clearInterval(timer));
}

// --- the system under test --------------------------------------------------------------------

let store: Store;
let prober: Prober;
const changes: HealthChange[] = [];
let startedAt = 0;
let etcdLike: { port: number; connections: number };
let deniedLoopback: { port: number; connections: number };
let redirectTarget: { port: number; connections: number };
let flapStatus = 200;
let alternate = 0;
const loop = { maxGapMs: 0, last: 0, timer: undefined as NodeJS.Timeout | undefined };

const register = (key: string, registration: Partial<Registration> & { address: string }): void =>
  store.upsertKey({ etcdKey: key, lease: undefined, registrations: [{ service: key, id: key, format: 'native', metadata: {}, ...registration }] });

const status = (key: string): Instance | undefined => store.instance(key);

/** Waits until `key` has `wanted` status; fails at the absolute `deadline` (performance.now()). */
async function reach(key: string, wanted: Status, deadline: number): Promise<Instance> {
  for (;;) {
    const instance = status(key);
    if (instance?.status === wanted) return instance;
    if (performance.now() > deadline) throw new Error(`${key}: ${instance?.status} (${instance?.statusCause}), wanted ${wanted} by the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  const healthy = await httpTarget((_req, res) => res.end('ok'));
  const unavailable = await httpTarget((_req, res) => {
    res.statusCode = 503;
    res.end('{"error":"database\u0000 unavailable"}\r\n');
  });
  const huge = await httpTarget((_req, res) => res.end(Buffer.alloc(10 * 1024 * 1024, 'x')));
  const flapping = await httpTarget((_req, res) => {
    res.statusCode = flapStatus;
    res.end();
  });
  const alternating = await httpTarget((_req, res) => {
    alternate += 1;
    res.statusCode = alternate % 2 === 0 ? 200 : 503;
    res.end();
  });
  redirectTarget = await tcpTarget();
  const redirecting = await httpTarget((_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${redirectTarget.port}/healthz` });
    res.end();
  });
  const hanging = await tcpTarget();
  const trickling = await tcpTarget(trickle);
  const resetting = await tcpTarget((socket) => socket.once('data', () => socket.resetAndDestroy()));
  etcdLike = await tcpTarget();
  deniedLoopback = await tcpTarget(undefined, DENY_TEST_IP);
  const serving = await grpcTarget(() => 'SERVING');
  const notServing = await grpcTarget(() => 'NOT_SERVING');

  store = createStore({ coalesceMs: 0 });
  const http = (port: number) => ({ address: `127.0.0.1:${port}`, health: { http: '/healthz' } });
  register('healthy', http(healthy));
  register('unavailable', http(unavailable));
  register('huge', http(huge));
  register('flapping', http(flapping));
  register('alternating', http(alternating));
  register('redirecting', http(redirecting));
  register('hanging', http(hanging.port));
  register('trickling', http(trickling.port));
  register('resetting', http(resetting.port));
  register('refused', { address: `127.0.0.1:${await refusedPort()}` });
  register('grpc-serving', { address: `127.0.0.1:${serving}`, health: { grpc: true } });
  register('kratos-not-serving', { address: `127.0.0.1:${healthy}`, format: 'kratos', metadata: { endpoints: `http://127.0.0.1:${healthy},grpc://127.0.0.1:${notServing}` } });
  register('metadata-service', { address: '169.254.169.254:80', health: { http: '/latest/meta-data/' } });
  register('denied-loopback', { address: `${DENY_TEST_IP}:${deniedLoopback.port}`, health: { http: '/healthz' } });
  register('etcd-by-name', { address: `localhost:${etcdLike.port}`, health: { http: '/v3/kv/range' } });
  register('drained', { address: `127.0.0.1:${healthy}` });
  store.setDrain('drained', 'drained', { by: 'test', reason: 'maintenance', at: new Date().toISOString() });
  store.flush();

  loop.last = performance.now();
  loop.timer = setInterval(() => {
    const now = performance.now();
    loop.maxGapMs = Math.max(loop.maxGapMs, now - loop.last);
    loop.last = now;
  }, 10);

  const tracker = createHealthTracker({
    store,
    publish: (key, facts, change) => {
      store.setHealth(key, facts);
      if (change) changes.push(change);
    },
  });
  prober = createProber({
    store,
    tracker,
    intervalMs: INTERVAL_MS,
    timeoutMs: TIMEOUT_MS,
    concurrency: 64,
    denyCidrs: ['169.254.0.0/16', `${DENY_TEST_IP}/32`],
    etcdEndpoints: [`http://127.0.0.1:${etcdLike.port}`],
  });
  startedAt = performance.now();
  await prober.start();
});

afterAll(async () => {
  await prober?.stop();
  clearInterval(loop.timer);
  store?.close();
  for (const close of closers.splice(0)) close();
});

describe('active prober against real loopback targets', () => {
  const passBy = (): number => startedAt + budgetFor(passAfter);
  const failBy = (): number => startedAt + budgetFor(failAfter);

  it('passes a healthy HTTP target, a drained one, a 10 MB 200 (read capped) and a SERVING gRPC server', async () => {
    for (const key of ['healthy', 'drained', 'huge', 'grpc-serving']) {
      expect(await reach(key, 'passing', passBy())).toMatchObject({ statusCause: 'probe OK' });
    }
    expect(status('huge')?.lastProbe?.latencyMs).toBeLessThan(TIMEOUT_MS);
  });

  it('fails each unhealthy target with a readable cause', async () => {
    const expected: [string, string][] = [
      ['unavailable', 'HTTP 503'],
      ['hanging', `timeout after ${TIMEOUT_MS} ms`],
      ['trickling', `timeout after ${TIMEOUT_MS} ms (HTTP 200 body incomplete)`],
      ['resetting', 'connection reset'],
      ['refused', 'connection refused'],
      ['kratos-not-serving', 'gRPC NOT_SERVING'],
    ];
    for (const [key, cause] of expected) expect(await reach(key, 'critical', failBy())).toMatchObject({ statusCause: cause });
    expect(changes.find((change) => change.key === 'unavailable' && change.to === 'critical')?.detail).toBe('{"error":"database unavailable"}');
  });

  it('never follows a redirect: 302 is a failure and the other host receives nothing', async () => {
    const instance = await reach('redirecting', 'critical', failBy());
    expect(instance.statusCause).toBe(`HTTP 302 redirect to http://127.0.0.1:${redirectTarget.port}/healthz (not followed)`);
    expect(redirectTarget.connections).toBe(0);
  });

  it('refuses metadata, denied CIDRs and etcd (even by host name) without connecting: not probed, so unknown, never critical', async () => {
    const refusals: [string, string][] = [
      ['metadata-service', '169.254.0.0/16'],
      ['denied-loopback', `${DENY_TEST_IP}/32`],
      ['etcd-by-name', `etcd endpoint 127.0.0.1:${etcdLike.port}`],
    ];
    for (const [key, reason] of refusals) {
      const cause = `not probed: address denied by probe policy (${reason})`;
      for (; status(key)?.statusCause !== cause; await new Promise((resolve) => setTimeout(resolve, 20))) {
        if (performance.now() > failBy()) throw new Error(`${key}: ${status(key)?.status} (${status(key)?.statusCause}), wanted "${cause}" by the deadline`);
      }
    }
    // By the time a refused connection has failed often enough to be critical, the refused targets were refused as often.
    await reach('refused', 'critical', failBy());
    for (const [key] of refusals) {
      expect(status(key), key).toMatchObject({ status: 'unknown' });
      expect(status(key)?.lastProbe, key).toBeUndefined();
    }
    expect(deniedLoopback.connections).toBe(0);
    expect(etcdLike.connections).toBe(0);
  });

  it('debounces a target that alternates on every probe: it never passes nor goes critical', async () => {
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 6));
    expect(alternate).toBeGreaterThanOrEqual(4);
    // Still unknown, and saying what its last probe said (a failed one is published from the first).
    expect(status('alternating')).toMatchObject({ status: 'unknown', statusCause: expect.stringMatching(/(failed probes before critical|before passing)$/) });
  });

  it('follows a flapping target down and up again, reporting each change once', async () => {
    const flapsIn = (list: HealthChange[]): string[] => list.filter((change) => change.key === 'flapping').map((change) => `${change.from}→${change.to}`);
    await reach('flapping', 'passing', Math.max(passBy(), performance.now() + budgetFor(passAfter)));
    // Changes from here on: a retry starts from where a failed first attempt left the target.
    const from = changes.length;
    const before = flapsIn(changes.slice(0, from));
    expect(before[0]).toBe('unknown→passing');
    expect(before.filter((flap) => flap === 'unknown→passing')).toHaveLength(1);
    try {
      flapStatus = 500;
      await reach('flapping', 'critical', performance.now() + budgetFor(failAfter));
    } finally {
      flapStatus = 200;
    }
    await reach('flapping', 'passing', performance.now() + budgetFor(passAfter));
    expect(flapsIn(changes.slice(from))).toEqual(['passing→critical', 'critical→passing']);
  });

  it('bounds every hostile probe by the timeout and keeps the event loop responsive', async () => {
    // The loop's longest gap while these probes run (not since the file began).
    loop.maxGapMs = 0;
    loop.last = performance.now();
    const runner = createProbeRunner({ timeoutMs: TIMEOUT_MS, intervalMs: INTERVAL_MS, policy: createProbePolicy({ denyCidrs: [], etcdEndpoints: [] }) });
    try {
      for (const key of ['hanging', 'trickling', 'huge', 'resetting', 'unavailable']) {
        const instance = status(key);
        if (!instance) throw new Error(`${key} is gone`);
        const started = performance.now();
        await runner.probe(probeTargetFor(instance));
        expect(performance.now() - started, key).toBeLessThan(TIMEOUT_MS + 150);
      }
    } finally {
      runner.close();
    }
    for (const key of ['hanging', 'trickling', 'resetting']) expect(status(key)?.lastProbe?.latencyMs, key).toBeLessThan(TIMEOUT_MS + 100);
    expect(prober.stats()).toMatchObject({ scheduled: 16 });
    expect(loop.maxGapMs).toBeLessThan(200);
  });
});

describe('prober as startRuntime wires it, on a real etcd', () => {
  it("probes what registers, reports changes through the hook, and never probes etcd's own endpoint", async () => {
    const etcd = await startEtcd();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-prober-'));
    const target = await httpTarget((_req, res) => res.end('ok'));
    const seen: HealthChange[] = [];
    const interval = 500;
    const config = loadConfig({ ETCD_ENDPOINTS: etcd.endpoint, DATA_DIR: dataDir, SWITCHYARD_PROBE_INTERVAL_MS: String(interval), SWITCHYARD_PROBE_TIMEOUT_MS: String(TIMEOUT_MS) });
    const runtime = await startRuntime(config, { onHealthChange: (change) => seen.push(change) });
    try {
      await etcd.put('/services/web/w-1', JSON.stringify({ address: `127.0.0.1:${target}`, health: { http: '/healthz' } }));
      await etcd.put('/services/etcd-itself/e-1', JSON.stringify({ address: etcd.endpoint.replace('http://', ''), health: { http: '/v3/kv/range' } }));
      const registered = performance.now();
      const deadline = registered + interval * failAfter + TIMEOUT_MS + SLACK_MS + 1_000;
      for (;;) {
        const statuses = [...runtime.store.instances()].map((instance) => `${instance.service}: ${instance.status} (${instance.statusCause})`).sort();
        const wanted = ['etcd-itself: unknown (not probed: address denied by probe policy (etcd endpoint ' + etcd.endpoint.replace('http://', '') + '))', 'web: passing (probe OK)'];
        if (JSON.stringify(statuses) === JSON.stringify(wanted)) break;
        if (performance.now() > deadline) expect(statuses).toEqual(wanted);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // etcd itself is never probed: it stays unknown, so no change of it is reported.
      expect(seen.map((change) => `${change.service}: ${change.from}→${change.to}`).sort()).toEqual(['web: unknown→passing']);
      expect(runtime.prober.stats()).toMatchObject({ scheduled: 2 });
    } finally {
      await runtime.stop();
      await etcd.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
