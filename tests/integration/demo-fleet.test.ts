import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeEntry } from '@/lib/server/registry/decode';
import { drainEtcdKey } from '@/lib/server/registry/drain-keys';
import { listPrefix } from '@/lib/server/registry/listing';
import { startFleet, type Fleet } from '@/demo/fleet';
import { checkGrpcHealth } from '@/demo/grpc-health';
import type { RunningInstance } from '@/demo/instance';
import { DEMO_PLAN, scalePlan } from '@/demo/plan';
import { startScaleFleet } from '@/demo/scale';
import { httpCallReporter, LATENCY_BOUNDS_MS } from '@/demo/stats';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually } from '../support/server';

const LEASE_TTL_SECONDS = 2;

/** The documented `POST /api/v1/ingest/calls` body, strictly. */
const IngestBody = z.strictObject({
  reporter: z.strictObject({ service: z.string().min(1), instance: z.string().min(1) }),
  intervalStart: z.iso.datetime(),
  intervalSeconds: z.number().positive(),
  calls: z.array(
    z.strictObject({
      to: z.string().min(1),
      toInstance: z.string().min(1).optional(),
      count: z.number().int().positive(),
      errors: z.number().int().min(0),
      latencyMs: z.strictObject({ bounds: z.array(z.number()), counts: z.array(z.number().int().min(0)) }),
    }),
  ),
});

interface Sink {
  url: string;
  posts: { path: string | undefined; type: string | undefined; body: unknown }[];
  server: Server;
}

async function startSink(): Promise<Sink> {
  const posts: Sink['posts'] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      posts.push({ path: request.url, type: request.headers['content-type'], body: JSON.parse(text) as unknown });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ingest/calls`, posts, server };
}

let etcd: TestEtcd;
let sink: Sink;
let fleet: Fleet;

const keyOf = (instance: RunningInstance): string => instance.registered()?.key ?? '';
const keyExists = async (key: string): Promise<boolean> => (await etcd.etcdctlKeys(key)).includes(key);

beforeAll(async () => {
  etcd = await startEtcd();
  sink = await startSink();
  fleet = await startFleet(etcd.client, {
    leaseTtlSeconds: LEASE_TTL_SECONDS,
    rps: 25,
    reporter: httpCallReporter(sink.url, () => 'syd_sink', () => undefined),
    reportIntervalMs: 1_000,
    log: () => undefined,
  });
});

afterAll(async () => {
  await fleet?.stop();
  await new Promise((resolve) => sink?.server.close(resolve));
  await etcd?.stop();
});

describe('demo fleet against a real etcd', () => {
  it('registers every instance in its framework’s format, and each decodes as that format', async () => {
    const keys = await etcd.etcdctlKeys('');
    const { kvs } = await listPrefix(etcd.client, '', undefined);
    const decoded = kvs.flatMap((kv) => decodeEntry({ key: kv.key.toString(), value: kv.value, lease: kv.lease === '0' ? undefined : kv.lease }) ?? []);
    expect(new Set(decoded.map((registration) => registration.format))).toEqual(new Set(DEMO_PLAN.map((service) => service.format)));
    expect(decoded).toHaveLength(fleet.instances.length);
    for (const instance of fleet.instances) {
      expect(keys).toContain(keyOf(instance));
      const registration = instance.registered()?.registration;
      expect(registration?.format).toBe(instance.plan.format);
      expect(registration?.address).toBe(instance.address());
    }
  });

  it('answers gRPC health checks SERVING on the gRPC-style instances', async () => {
    const grpcStyle = fleet.instances.filter((instance) => instance.plan.grpcHealth);
    expect(grpcStyle.map((instance) => instance.plan.format)).toContain('grpc-go');
    for (const instance of grpcStyle) expect(await checkGrpcHealth(instance.address(), 3_000)).toBe('SERVING');
  });

  it('sends a drained instance no new calls while its siblings keep getting them', async () => {
    const [drained, ...siblings] = fleet.instancesOf('users');
    if (!drained) throw new Error('no users instance');
    const { service, instance: id } = drained.identity();
    const drainKey = drainEtcdKey('/switchyard/', service, id);
    let drainedBefore = drained.requestsServed();
    try {
      await etcd.put(drainKey, JSON.stringify({ by: 'test', reason: 'integration', at: new Date().toISOString() }));
      // Applied once the callers' watch has the drain and the calls in flight have finished: half a second without a call.
      await eventually(
        async () => {
          const served = drained.requestsServed();
          await sleep(500);
          return drained.requestsServed() === served ? true : undefined;
        },
        10_000,
        'the drain applied',
      );
      drainedBefore = drained.requestsServed();
      const siblingsBefore = siblings.map((sibling) => sibling.requestsServed());
      await sleep(3_000);
      expect(drained.requestsServed()).toBe(drainedBefore);
      siblings.forEach((sibling, i) => expect(sibling.requestsServed()).toBeGreaterThan((siblingsBefore[i] ?? 0) + 3));
    } finally {
      await etcd.delete(drainKey);
    }
    await eventually(() => (drained.requestsServed() > drainedBefore ? true : undefined), 5_000, 'calls after undrain');
  });

  it('lets a killed instance’s key expire within its lease TTL', async () => {
    const [victim] = fleet.instancesOf('catalog');
    if (!victim) throw new Error('no catalog instance');
    const key = keyOf(victim);
    expect(await keyExists(key)).toBe(true);
    const killedAt = Date.now();
    await victim.kill();
    try {
      // Polled with a client (an etcdctl process per poll takes up to a few hundred ms on a busy machine).
      await eventually(async () => ((await etcd.client.get(key).exists()) ? undefined : true), LEASE_TTL_SECONDS * 1000 + 2_000, `${key} to expire`);
      expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_SECONDS * 1000 + 1_000);
      await expect(fetch(`http://${victim.address()}/healthz`)).rejects.toThrow();
    } finally {
      // Back whatever happened: a retry finds it registered again.
      await victim.restart();
    }
    expect(await keyExists(keyOf(victim))).toBe(true);
  });

  it('keeps serving after losing etcd while its key expires', async () => {
    const [partitioned] = fleet.instancesOf('users');
    if (!partitioned) throw new Error('no users instance');
    const key = keyOf(partitioned);
    partitioned.loseEtcd();
    await eventually(async () => ((await keyExists(key)) ? undefined : true), LEASE_TTL_SECONDS * 1000 + 2_000, `${key} to expire`);
    expect((await fetch(`http://${partitioned.address()}/healthz`)).status).toBe(200);
    await partitioned.rejoinEtcd();
    // go-zero keys end in the lease id: a new lease is a new key.
    expect(keyOf(partitioned)).not.toBe(key);
    expect(await keyExists(keyOf(partitioned))).toBe(true);
  });

  it('reports call statistics in the documented ingest shape', async () => {
    const report = await eventually(() => sink.posts.find((post) => IngestBody.safeParse(post.body).data?.reporter.service === 'api-gateway'), 5_000, 'a gateway report');
    expect(report.path).toBe('/api/v1/ingest/calls');
    expect(report.type).toBe('application/json');
    // Instance ids can change over the run (go-zero's is its lease id), service names do not.
    const services = new Set(fleet.instances.map((instance) => instance.identity().service));
    for (const post of sink.posts) {
      const body = IngestBody.parse(post.body);
      expect(services).toContain(body.reporter.service);
      for (const call of body.calls) {
        expect(call.latencyMs.bounds).toEqual(LATENCY_BOUNDS_MS);
        expect(call.latencyMs.counts).toHaveLength(call.latencyMs.bounds.length + 1);
        expect(call.latencyMs.counts.reduce((sum, n) => sum + n, 0)).toBe(call.count);
        expect(call.errors).toBeLessThanOrEqual(call.count);
      }
    }
    const gateway = IngestBody.parse(report.body);
    expect(gateway.calls.map((call) => call.to)).toEqual(expect.arrayContaining(['auth', 'redis']));
    expect(gateway.calls.find((call) => call.to === 'redis')).not.toHaveProperty('toInstance');
  });
});

describe('scale mode', () => {
  it('registers thousands of instances in batches on shared leases, and removes them all on stop', async () => {
    const names = new Set(scalePlan(60, 600).map((service) => service.service));
    const scaleRegistrations = async (): Promise<number> => {
      const { kvs } = await listPrefix(etcd.client, '', undefined);
      return kvs
        .flatMap((kv) => decodeEntry({ key: kv.key.toString(), value: kv.value, lease: kv.lease === '0' ? undefined : kv.lease }) ?? [])
        .filter((registration) => names.has(registration.service) || names.has(registration.metadata.application ?? '')).length;
    };
    const scale = await startScaleFleet(etcd.client, { services: 60, instances: 600, traffic: false, rps: 0 });
    try {
      expect(scale.summary).toMatch(/600 instances in 60 services .*10 shared leases/);
      expect(await scaleRegistrations()).toBe(600);
    } finally {
      await scale.stop();
    }
    expect(await scaleRegistrations()).toBe(0);
  });
});
