import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_BODIES_ARRIVING, MAX_BODIES_RECEIVING_PER_PRINCIPAL } from '@/lib/server/body-reception';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

type Door = '/api/v1/ingest/calls' | '/v1/metrics';

/** Raw sockets, each sending a request's head and one byte of a body it declares 1 MB long (or `length`), then holding. */
function holdBodies(door: Door, token: string, count: number, length = 1_000_000): { sockets: net.Socket[]; release(): void } {
  const { port } = new URL(server.url);
  const sockets = Array.from({ length: count }, () => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`POST ${door} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{`);
    return socket;
  });
  return { sockets, release: () => sockets.forEach((socket) => socket.destroy()) };
}

/** Resolves once `switchyard_request_bodies{state}` on /metrics is `value`. */
async function bodies(state: 'held' | 'receiving', value: number): Promise<void> {
  await eventually(async () => {
    const text = await (await server.fetch('/metrics')).text();
    return Number(new RegExp(`^switchyard_request_bodies\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN) === value ? true : undefined;
  }, 10_000, `${value} request bodies ${state}`);
}

const report = (service: string) =>
  JSON.stringify({ reporter: { service, instance: `${service}-1` }, intervalStart: new Date(Date.now() - 5_000).toISOString(), intervalSeconds: 5, calls: [{ to: 'users', count: 1, errors: 0, latencyMs: { bounds: [10], counts: [1, 0] } }] });
const ingest = (token: string) => fetch(`${server.url}/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: report('orders') });
const otlp = (token: string) => fetch(`${server.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });

async function expectRefused(response: Response): Promise<string> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  const { error } = ErrorSchema.parse(await response.json());
  expect(error.code).toBe('overloaded');
  return error.message;
}

describe('request bodies in reception (ingest and OTLP)', () => {
  it("refuses a token past its share of bodies arriving at once, on both doors, and not another token's", async () => {
    const greedy = await server.createToken({ name: 'greedy', role: 'viewer' });
    const other = await server.createToken({ name: 'other', role: 'viewer' });
    const half = MAX_BODIES_RECEIVING_PER_PRINCIPAL / 2;
    const held = [holdBodies('/api/v1/ingest/calls', greedy, half), holdBodies('/v1/metrics', greedy, half)];
    try {
      await bodies('receiving', MAX_BODIES_RECEIVING_PER_PRINCIPAL);
      // The same token's next request, whole and well-formed, on either door: 429 at once.
      expect(await expectRefused(await ingest(greedy))).toMatch(/this token/);
      expect(await expectRefused(await otlp(greedy))).toMatch(/this token/);
      // Another token is served on both.
      expect((await ingest(other)).status).toBe(202);
      expect((await otlp(other)).status).toBe(200);
      // The held bodies are still held: the refusals came at once, not from a timeout.
      await bodies('receiving', MAX_BODIES_RECEIVING_PER_PRINCIPAL);
      expect(held.flatMap((h) => h.sockets).every((socket) => !socket.destroyed)).toBe(true);
    } finally {
      held.forEach((h) => h.release());
    }
    await bodies('held', 0);
    expect((await ingest(greedy)).status).toBe(202);
  });

  it('caps the bodies arriving at once over every token: the next is refused at once, and served once they go', async () => {
    const tokens = await Promise.all(Array.from({ length: MAX_BODIES_ARRIVING / MAX_BODIES_RECEIVING_PER_PRINCIPAL + 1 }, (_, i) => server.createToken({ name: `holder-${i}`, role: 'viewer' })));
    const late = tokens.pop() ?? '';
    const held = tokens.map((token, i) => holdBodies(i % 2 === 0 ? '/api/v1/ingest/calls' : '/v1/metrics', token, MAX_BODIES_RECEIVING_PER_PRINCIPAL));
    try {
      await bodies('held', MAX_BODIES_ARRIVING);
      expect(await expectRefused(await ingest(late))).toMatch(/too many request bodies arriving at once/);
      expect(await expectRefused(await otlp(late))).toMatch(/too many request bodies arriving at once/);
      await bodies('held', MAX_BODIES_ARRIVING);
      const text = await (await server.fetch('/metrics')).text();
      expect(Number(/^switchyard_request_bodies\{state="refused_busy"\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    } finally {
      held.forEach((h) => h.release());
    }
    await bodies('held', 0);
    expect((await otlp(late)).status).toBe(200);
  });

  it('drops a sender too slow for the minimum rate with 408, well before the 15 s body timeout', async () => {
    const token = await server.createToken({ name: 'dribbler', role: 'viewer' });
    for (const door of ['/api/v1/ingest/calls', '/v1/metrics'] as const) {
      const { sockets, release } = holdBodies(door, token, 1, 100);
      const [socket] = sockets;
      try {
        const head = await new Promise<string>((resolve) => {
          let text = '';
          socket?.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (text.includes('\r\n\r\n') && text.includes('}')) resolve(text);
          });
        });
        expect(head).toMatch(/^HTTP\/1\.1 408/);
        expect(head).toMatch(/slower than/);
      } finally {
        release();
      }
    }
    const text = await (await server.fetch('/metrics')).text();
    expect(Number(/^switchyard_request_bodies\{state="dropped_slow"\} (\d+)/m.exec(text)?.[1])).toBe(2);
  });
});
