import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { ServiceSchema } from '@/lib/model/instance';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest, SummaryDelta } from '@/lib/model/live';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { firstSummary } from '../support/live-views';
import { eventually, startServer, type TestServer } from '../support/server';

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

function connect(): LiveClient {
  return io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { authorization: `Bearer ${server.adminToken}` } });
}

describe('HTTP API v1 on the real server', () => {
  it('lists services with instances in the contract shape', async () => {
    const response = await server.fetch(`/api/v1/services`);
    expect(response.status).toBe(200);
    const body = z.object({ revision: z.string(), services: z.array(ServiceSchema) }).parse(await response.json());
    expect(body.services.map((s) => s.name)).toEqual(['gateway', 'users']);
    const users = body.services[1];
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

  it('exposes liveness and Prometheus metrics', async () => {
    expect((await server.fetch(`/healthz`)).status).toBe(200);
    const metrics = await (await server.fetch(`/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_instances_known 2$/m);
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
      await etcd.put('/services/orders/o-1', JSON.stringify({ address: '127.0.0.1:9100' }));
      await etcd.put('/services/orders/o-2', JSON.stringify({ address: '127.0.0.1:9101' }));
      await eventually(() => (deltas.some((d) => d.upserts.some((u) => u.name === 'orders' && u.instances === 2)) ? true : undefined), 2_000, 'deltas');
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
    const client = connect();
    await firstSummary(client);
    const disconnected = new Promise<string>((resolve) => client.once('disconnect', resolve));
    expect(await server.stop()).toBe(0);
    expect(await disconnected).toBeTruthy();
    expect(server.output()).toContain('SIGTERM: shutting down');
  });
});
