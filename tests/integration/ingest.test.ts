import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });
const PointSchema = z.object({ t: z.number(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable(), rps: z.number(), errorRate: z.number().nullable() });

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.put('/services/users/u-1', JSON.stringify({ address: '127.0.0.1:9001' }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

const post = (body: unknown, raw?: string) =>
  server.fetch(`/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });

const report = (service: string, counts: number[], errors = 0, to = 'users') => ({
  reporter: { service, instance: `${service}-1` },
  intervalStart: new Date(Date.now() - 5_000).toISOString(),
  intervalSeconds: 5,
  calls: [{ to, toInstance: 'u-1', count: counts.reduce((a, b) => a + b, 0), errors, latencyMs: { bounds: [10, 50, 100], counts } }],
});

describe('POST /api/v1/ingest/calls', () => {
  it('accepts batches from several reporters and serves the merged series', async () => {
    // A callee of its own per attempt: a retry's series would hold the first attempt's 200 calls too.
    const callee = perAttempt('users');
    await etcd.put(`/services/${callee}/u-1`, JSON.stringify({ address: '127.0.0.1:9001' }));
    await eventually(async () => ((await server.fetch(`/api/v1/services/${callee}`)).status === 200 ? true : undefined), 5_000, `${callee} listed`);
    expect((await post(report('gateway', [90, 10, 0, 0], 0, callee))).status).toBe(202);
    expect((await post(report('orders', [0, 0, 80, 20], 10, callee))).status).toBe(202);
    const asked = Date.now();
    const body = await (await server.fetch(`/api/v1/services/${callee}/latency?window=1h`)).json();
    expect(body).toMatchObject({ service: callee, window: '1h', stepSeconds: 60 });
    // The reports reached 5 s back from their arrival: the seconds from there on may still grow.
    expect(body.arrivingFrom).toBeGreaterThanOrEqual(Math.floor(asked / 1_000) * 1_000 - 7_000);
    expect(body.arrivingFrom).toBeLessThanOrEqual(asked - 4_000);
    const points = z.array(PointSchema).parse(body.points);
    expect(points.length).toBe(60);
    const minute = points.filter((p) => p.rps > 0);
    const calls = minute.reduce((sum, p) => sum + p.rps * 60, 0);
    expect(calls).toBeCloseTo(200, 5);
    // Half the calls were ≤ 10 ms, a tenth of them over 100 ms: p50 in the first buckets, p99 in the overflow.
    const latest = minute.at(-1);
    expect(latest?.p50Ms).toBeLessThanOrEqual(50);
    expect(latest?.p99Ms).toBeGreaterThanOrEqual(95);

    const instances = await (await server.fetch(`/api/v1/services/${callee}/instances/latency?window=5m`)).json();
    expect(instances.instances).toHaveLength(1);
    expect(instances.instances[0].inbound.some((p: { rps: number }) => p.rps > 0)).toBe(true);
    const edge = await (await server.fetch(`/api/v1/edges/latency?from=orders&to=${callee}&window=5m`)).json();
    expect(edge.points.some((p: { errorRate: number | null }) => (p.errorRate ?? 0) > 0.09)).toBe(true);
  });

  it.each([
    ['counts one short', { ...report('x', [1, 1, 1, 0]), calls: [{ to: 'users', count: 3, errors: 0, latencyMs: { bounds: [10, 50, 100], counts: [1, 1, 1] } }] }, 'calls.0.latencyMs.counts'],
    ['bounds not increasing', { ...report('x', [1, 0, 0, 0]), calls: [{ to: 'users', count: 1, errors: 0, latencyMs: { bounds: [10, 5], counts: [1, 0, 0] } }] }, 'calls.0.latencyMs.bounds'],
    ['more errors than calls', report('x', [1, 0, 0, 0], 5), 'calls.0.errors'],
    ['no reporter', { ...report('x', [1, 0, 0, 0]), reporter: undefined }, 'reporter'],
    ['not a date', { ...report('x', [1, 0, 0, 0]), intervalStart: 'yesterday' }, 'intervalStart'],
    ['interval too long', { ...report('x', [1, 0, 0, 0]), intervalSeconds: 3_600 }, 'intervalSeconds'],
  ])('rejects %s with 422 naming %s', async (_label, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(422);
    expect(ErrorSchema.parse(await response.json()).error.field).toBe(field);
  });

  it('rejects a clock more than a day off, bad JSON and oversized bodies', async () => {
    const skewed = await post({ ...report('x', [1, 0, 0, 0]), intervalStart: '2020-01-01T00:00:00Z' });
    expect(skewed.status).toBe(422);
    expect(ErrorSchema.parse(await skewed.json()).error).toMatchObject({ code: 'clock_skew', field: 'intervalStart' });
    expect((await post(undefined, '{"reporter":')).status).toBe(400);
    expect((await post(undefined, `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`)).status).toBe(413);
    expect((await server.fetch(`/api/v1/services/users/latency?window=7d`)).status).toBe(422);
    expect((await server.fetch(`/readyz`)).status).toBe(200);
  });
});
