import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HEALTHY, startInstanceServer, type InstanceServer } from '@/demo/instance-server';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPrometheus } from '../support/prometheus';
import { eventually, startServer, type TestServer } from '../support/server';

const TargetsSchema = z.object({
  data: z.object({ activeTargets: z.array(z.object({ labels: z.record(z.string(), z.string()), health: z.string(), scrapeUrl: z.string() })) }),
});
const QuerySchema = z.object({ data: z.object({ result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })) }) });

let etcd: TestEtcd;
let server: TestServer;
let instance: InstanceServer;

beforeAll(async () => {
  etcd = await startEtcd();
  instance = await startInstanceServer({ port: 0, faults: { ...HEALTHY }, grpcHealth: false, work: async () => 200 });
  await etcd.put('/services/orders/orders-1', JSON.stringify({ address: `127.0.0.1:${instance.port}`, zone: 'eu-1', version: 'v7' }));
  // Registered on its RPC port; the metrics port is annotated, as Prometheus users do in Kubernetes.
  await etcd.put('/services/orders/orders-2', JSON.stringify({ address: '127.0.0.1:1', metadata: { 'prometheus.io/port': String(instance.port) } }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await instance?.close();
  await etcd?.stop();
});

/** `demo_work_requests_total{code="200"}` as the instance itself reports it now (0 before its first answer). */
async function answeredOk(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('demo_work_requests_total{code="200"} '));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('GET /api/v1/prometheus/targets (Prometheus HTTP SD)', () => {
  it('refuses a caller without a token', async () => {
    expect((await fetch(`${server.url}/api/v1/prometheus/targets`)).status).toBe(401);
  });

  it('lists every decoded instance with its labels', async () => {
    const groups = await (await server.fetch('/api/v1/prometheus/targets')).json();
    expect(groups).toEqual([
      { targets: [`127.0.0.1:${instance.port}`], labels: { service: 'orders', instance: 'orders-1', format: 'native', drained: 'false', zone: 'eu-1', version: 'v7' } },
      { targets: [`127.0.0.1:${instance.port}`], labels: { service: 'orders', instance: 'orders-2', format: 'native', drained: 'false' } },
    ]);
  });

  it('lets a real Prometheus discover the fleet and scrape it', async () => {
    // Counted from this attempt's start: the instance's counter also holds a failed first attempt's work.
    const before = await answeredOk();
    const token = await server.createToken({ name: 'prometheus', role: 'viewer' });
    // Stopped whatever happens: a retry starts a Prometheus of its own.
    const prometheus = await startPrometheus({ sdUrl: `${server.url}/api/v1/prometheus/targets`, token });
    try {
      await fetch(`http://127.0.0.1:${instance.port}/work`);
      const targets = await eventually(
        async () => {
          const { data } = TargetsSchema.parse(await prometheus.api('/api/v1/targets'));
          const up = data.activeTargets.filter((target) => target.health === 'up');
          return up.length === 2 ? up : undefined;
        },
        30_000,
        'both instances discovered and scraped',
      );
      expect(targets.map((target) => [target.labels.service, target.labels.instance, target.labels.zone]).sort()).toEqual([
        ['orders', 'orders-1', 'eu-1'],
        ['orders', 'orders-2', undefined],
      ]);
      const scraped = await eventually(async () => {
        const { data } = QuerySchema.parse(await prometheus.api(`/api/v1/query?query=${encodeURIComponent('demo_work_requests_total{code="200"}')}`));
        return data.result.length === 2 ? data.result : undefined;
      }, 15_000, 'the demo instance metrics in Prometheus');
      expect(scraped.map((sample) => sample.value[1])).toEqual([String(before + 1), String(before + 1)]);
    } finally {
      await prometheus.stop();
    }
  });
});
