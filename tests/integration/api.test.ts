import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { ServiceSchema } from '@/lib/model/instance';
import { VIEWS_HANDSHAKE, type ClientToServerEvents, type Delta, type ServerToClientEvents, type Snapshot, type SubscribeRequest, type SummaryDelta } from '@/lib/model/live';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { firstSummary } from '../support/live-views';
import { requestRawTarget } from '../support/raw-target';
import { eventually, startServer, type TestServer } from '../support/server';
import { perAttempt } from '../support/names';

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.put('/services/users/u-1', JSON.stringify({ address: '127.0.0.1:9001', version: '1.2.0', zone: 'z1' }));
  await etcd.put('/services/gateway/g-1', JSON.stringify({ address: '127.0.0.1:9000', dependsOn: ['users'] }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

function connect(to: TestServer = server): LiveClient {
  return io(to.url, { transports: ['websocket'], auth: VIEWS_HANDSHAKE, reconnection: false, forceNew: true, extraHeaders: { authorization: `Bearer ${to.adminToken}` } });
}

/**
 * An address of its own for each registration a test writes: a retry's put then changes the key
 * (the store sends no delta for a registration written again unchanged).
 */
const anAddress = (): string => `127.0.0.1:${20_000 + Math.floor(Math.random() * 40_000)}`;

describe('HTTP API v1 on the real server', () => {
  it('lists services with instances in the contract shape', async () => {
    const response = await server.fetch(`/api/v1/services`);
    expect(response.status).toBe(200);
    const body = z.object({ revision: z.string(), services: z.array(ServiceSchema) }).parse(await response.json());
    // By name, the file's two among whatever later tests (or a retry) registered.
    const names = body.services.map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['gateway', 'users']));
    const users = body.services.find((s) => s.name === 'users');
    expect(users?.instances[0]).toMatchObject({ id: 'u-1', service: 'users', address: '127.0.0.1:9001', format: 'native', version: '1.2.0', zone: 'z1', drain: null });
  });

  it('serves one service with its declared dependencies and dependents', async () => {
    const users = await (await server.fetch(`/api/v1/services/users`)).json();
    expect(users).toMatchObject({ name: 'users', dependents: ['gateway'], dependencies: [] });
    const gateway = await (await server.fetch(`/api/v1/services/gateway`)).json();
    expect(gateway.dependencies).toEqual(['users']);
  });

  it('answers an unknown service with a 404 in the error shape', async () => {
    const response = await server.fetch(`/api/v1/services/${encodeURIComponent('no/such <service>')}`);
    expect(response.status).toBe(404);
    const body = ErrorBodySchema.parse(await response.json());
    expect(body.error).toMatchObject({ code: 'not_found', field: 'service' });
  });

  it('answers a path whose escapes do not decode with 400, signed in or not, instead of Next’s plain-text 500', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/services/%ff'],
      ['GET', '/api/v1/services/%ED%A0%80'],
      ['DELETE', '/api/v1/tokens/%ff'],
      ['POST', '/api/v1/services/a/instances/%ff/drain'],
    ] as const) {
      for (const headers of [{}, { authorization: `Bearer ${server.adminToken}` }] as Record<string, string>[]) {
        const response = await fetch(`${server.url}${path}`, { method, headers });
        expect(response.status, `${method} ${path}`).toBe(400);
        expect(ErrorBodySchema.parse(await response.json()).error.code).toBe('bad_path');
      }
    }
    const page = await fetch(`${server.url}/services/%ff`);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/not valid percent-encoded UTF-8/);
  });

  it('answers such a path in the API’s shape when Next would route it to the API through dot segments, and in plain text otherwise', async () => {
    for (const target of ['/./api/v1/services/%ff', '/%2e/api/v1/services/%ff', '/x/../api/v1/services/%ff', '/x/%2E%2e/api/v1/tokens/%ff']) {
      const answer = await requestRawTarget(server.url, 'GET', target);
      expect([answer.status, answer.headers['content-type']], target).toEqual([400, 'application/json']);
      expect(ErrorBodySchema.parse(JSON.parse(answer.body)).error.code, target).toBe('bad_path');
    }
    // A page, and `//x/api/…`, which Next redirects to the page path `/x/api/…`.
    for (const target of ['/api/../services/%ff', '//x/api/v1/services/%ff']) {
      const answer = await requestRawTarget(server.url, 'GET', target);
      expect([answer.status, answer.body], target).toEqual([400, '400 Bad Request: the path is not valid percent-encoded UTF-8\n']);
    }
  });

  it('exposes liveness and Prometheus metrics', async () => {
    expect((await server.fetch(`/healthz`)).status).toBe(200);
    const metrics = await (await server.fetch(`/metrics`)).text();
    // As many as the API lists: the file's two, and any a test that ran before registered.
    const listed = z.object({ services: z.array(ServiceSchema) }).parse(await (await server.fetch('/api/v1/services')).json()).services.reduce((sum, s) => sum + s.instances.length, 0);
    expect(listed).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(new RegExp(`^switchyard_instances_known ${listed}$`, 'm'));
    expect(metrics).toMatch(/^switchyard_relists_total [1-9]/m);
    expect(metrics).toContain('switchyard_watch_events_total');
    expect(metrics).toContain('switchyard_sockets_connected');
  });
});

describe('Socket.IO live views', () => {
  it('sends nothing until a view is subscribed; the summary then comes with deltas of increasing seq', async () => {
    const client = connect();
    try {
      const early: string[] = [];
      client.onAny((event: string) => early.push(event));
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      // The server answers in order: once the summary arrives, anything sent on connect would have come first.
      const snapshot = await firstSummary(client);
      expect(early).toEqual(['summary:snapshot']);
      expect(snapshot.services.map((s) => s.name)).toContain('users');
      const deltas: SummaryDelta[] = [];
      client.on('summary:delta', (delta) => deltas.push(delta));
      // A service of its own per attempt: a summary changes only with what it counts, not with an address.
      const service = perAttempt('orders');
      await etcd.put(`/services/${service}/o-1`, JSON.stringify({ address: anAddress() }));
      await etcd.put(`/services/${service}/o-2`, JSON.stringify({ address: anAddress() }));
      await eventually(() => (deltas.some((d) => d.upserts.some((u) => u.name === service && u.instances === 2)) ? true : undefined), 10_000, 'deltas');
      const seqs = deltas.map((d) => d.seq);
      expect(deltas[0]?.prev).toBeLessThanOrEqual(snapshot.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    } finally {
      client.close();
    }
  });

  it('refuses oversized client messages by closing the socket, and keeps serving others', async () => {
    const client = connect();
    await firstSummary(client);
    const closed = new Promise<string>((resolve) => client.once('disconnect', resolve));
    client.emit('live:subscribe', { view: 'summary', junk: 'x'.repeat(100_000) } as unknown as SubscribeRequest);
    expect(await closed).toBeTruthy();
    expect((await server.fetch(`/api/v1/services`)).status).toBe(200);
  });
});

/** A program written against DESIGN's contract: no `views` flag, so the whole fleet on connect. */
function connectFleet(auth: { epoch?: string; seq?: number } = {}): LiveClient {
  return io(server.url, { transports: ['websocket'], auth, reconnection: false, forceNew: true, extraHeaders: { authorization: `Bearer ${server.adminToken}` } });
}

describe("Socket.IO whole-fleet stream (DESIGN's contract, for programs)", () => {
  it('sends a snapshot on connect, then deltas with increasing seq', async () => {
    const client = connectFleet();
    try {
      const snapshot = await new Promise<Snapshot>((resolve) => client.once('state:snapshot', resolve));
      expect(snapshot.services.map((s) => s.name)).toContain('users');
      const deltas: Delta[] = [];
      client.on('state:delta', (delta) => deltas.push(delta));
      await etcd.put('/services/fleet/f-1', JSON.stringify({ address: anAddress() }));
      await etcd.put('/services/fleet/f-2', JSON.stringify({ address: anAddress() }));
      await eventually(() => (deltas.flatMap((d) => d.changes).length >= 2 ? true : undefined), 10_000, 'deltas');
      const seqs = deltas.map((d) => d.seq);
      expect(seqs[0]).toBe(snapshot.seq + 1);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    } finally {
      client.close();
    }
  });

  it('replays missed deltas to a client that reconnects with its last seq', async () => {
    // An observer that stays connected sees the missed changes go out: once it has, they can only
    // reach the reconnecting client as a replay, never as live updates.
    // r-1 alone (a retry finds the first attempt's r-2).
    await etcd.delete('/services/replay/r-2');
    await etcd.put('/services/replay/r-1', JSON.stringify({ address: anAddress() }));
    await eventually(async () => ((await (await server.fetch('/api/v1/services/replay')).json()).instances?.length === 1 ? true : undefined), 5_000, 'r-1');
    const observer = connectFleet();
    const observed: Delta[] = [];
    await new Promise<Snapshot>((resolve) => observer.once('state:snapshot', resolve));
    observer.on('state:delta', (delta) => observed.push(delta));
    const first = connectFleet();
    const snapshot = await new Promise<Snapshot>((resolve) => first.once('state:snapshot', resolve));
    first.close();
    const ops = (deltas: Delta[]): string[] => deltas.flatMap((d) => d.changes).map((c) => (c.op === 'upsert' ? `+${c.instance.id}` : `-${c.key}`));
    const missed = ['+r-2', '-/services/replay/r-1'];
    try {
      await etcd.put('/services/replay/r-2', JSON.stringify({ address: anAddress() }));
      await etcd.delete('/services/replay/r-1');
      await eventually(() => (missed.every((op) => ops(observed).includes(op)) ? true : undefined), 5_000, 'the missed changes to go out');
      const lastSentBeforeReconnect = Math.max(...observed.map((d) => d.seq));
      const second = connectFleet({ epoch: snapshot.epoch, seq: snapshot.seq });
      try {
        const received: Delta[] = [];
        let gotSnapshot = false;
        second.on('state:delta', (delta) => received.push(delta));
        second.on('state:snapshot', () => (gotSnapshot = true));
        await eventually(() => (received.some((d) => d.seq >= lastSentBeforeReconnect) ? true : undefined), 10_000, 'replay');
        expect(gotSnapshot).toBe(false);
        const replayed = received.filter((d) => d.seq <= lastSentBeforeReconnect);
        const expectedSeqs = Array.from({ length: lastSentBeforeReconnect - snapshot.seq }, (_, i) => snapshot.seq + 1 + i);
        expect(replayed.map((d) => d.seq)).toEqual(expectedSeqs);
        expect(ops(replayed)).toEqual(expect.arrayContaining(missed));
      } finally {
        second.close();
      }
    } finally {
      observer.close();
    }
  });
  it('is not sent to a socket that connects for views', async () => {
    const client = connect();
    try {
      const events: string[] = [];
      client.onAny((event: string) => events.push(event));
      await firstSummary(client);
      await etcd.put(`/services/${perAttempt('quiet')}/q-1`, JSON.stringify({ address: anAddress() }));
      await eventually(() => (events.filter((event) => event === 'summary:delta').length > 0 ? true : undefined), 10_000, 'the summary delta');
      expect(events.filter((event) => event.startsWith('state:'))).toEqual([]);
    } finally {
      client.close();
    }
  });
});

describe('etcd outage', () => {
  it('reports not ready while etcd is down and recovers within a second of its return', async () => {
    await etcd.local.stop(true);
    const down = await eventually(async () => {
      const response = await server.fetch(`/readyz`);
      return response.status === 503 ? await response.json() : undefined;
    }, 5_000, '/readyz 503');
    expect(down.registry.state).toBe('unreachable');
    expect((await server.fetch(`/api/v1/services`)).status).toBe(200);
    await etcd.local.restart();
    const back = Date.now();
    await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 5_000, '/readyz 200');
    expect(Date.now() - back).toBeLessThan(1_500);
  });
});

describe('shutdown', () => {
  it('closes sockets, watchers and etcd on SIGTERM and exits 0', async () => {
    // A server of its own per attempt: a retry must stop a running server, not the one its first
    // attempt already stopped (and the file's server stays up for any test after this one).
    const own = await startServer({ etcdEndpoints: etcd.endpoints });
    const client = connect(own);
    try {
      await firstSummary(client);
      const disconnected = new Promise<string>((resolve) => client.once('disconnect', resolve));
      expect(await own.stop()).toBe(0);
      expect(await disconnected).toBeTruthy();
      expect(own.output()).toContain('SIGTERM: shutting down');
    } finally {
      client.close();
      await own.stop();
    }
  });
});
