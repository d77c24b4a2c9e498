import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFleet, type Fleet } from '@/demo/fleet';
import { registeredServiceName } from '@/demo/formats';
import { DEMO_PLAN } from '@/demo/plan';
import { httpCallReporter } from '@/demo/stats';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

const TopologySchema = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.string() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), rps: z.number().optional() })),
});
const InstancesSchema = z.object({ instances: z.array(z.object({ id: z.string(), inbound: z.array(z.object({ rps: z.number() })) })) });

let etcd: TestEtcd;
let server: TestServer;
let fleet: Fleet;

/** Registry name of a demo service (dubbo registers its interface). */
const named = (service: string): string => {
  const plan = DEMO_PLAN.find((entry) => entry.service === service);
  if (!plan) throw new Error(`no demo service ${service}`);
  return registeredServiceName(plan.format, service);
};

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  const token = await server.createToken({ name: 'demo-fleet', role: 'viewer' });
  fleet = await startFleet(etcd.client, {
    rps: 20,
    reporter: httpCallReporter(`${server.url}/api/v1/ingest/calls`, () => token, () => undefined),
    reportIntervalMs: 1_000,
    // Shorter than the demo's 10 s: a cumulative stream's first export counts nothing, the second does.
    otlp: { url: server.url, token: () => token, exportIntervalMs: 1_500 },
    log: () => undefined,
  });
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await server?.stop();
  await etcd?.stop();
});

const topology = async (): Promise<z.infer<typeof TopologySchema>> => TopologySchema.parse(await (await server.fetch('/api/v1/topology')).json());
const observedRps = (edges: z.infer<typeof TopologySchema>['edges'], from: string, to: string): number => edges.find((edge) => edge.from === from && edge.to === to)?.rps ?? 0;

describe('the demo fleet, half through OpenTelemetry and half through ingest, on one map', () => {
  it('shows edges reported by both halves, and OTLP server metrics feed the registered instances', async () => {
    const otlpServices = DEMO_PLAN.filter((service) => service.otlp).map((service) => service.service);
    expect(otlpServices).toEqual(expect.arrayContaining(['orders', 'payments', 'users', 'notifications']));
    await eventually(
      async () => {
        const { edges: found } = await topology();
        // orders → payments only through OTLP client metrics; api-gateway → orders only through ingest.
        // Each edge is waited for: a cumulative stream's first export counts nothing, so edges appear an export apart.
        const wanted: [string, string][] = [
          ['orders', 'payments'],
          ['api-gateway', 'orders'],
          ['notifications', 'mailer'],
          ['orders', 'inventory'],
          ['api-gateway', 'auth'],
        ];
        return wanted.every(([from, to]) => observedRps(found, named(from), named(to)) > 0) ? found : undefined;
      },
      30_000,
      'edges from both halves',
    );

    // users registers through go-zero, whose instance ids are lease ids: the server metrics'
    // server.address + server.port name the registered instance, not the SDK's service.instance.id.
    const registeredIds = fleet.instancesOf('users').map((instance) => instance.identity().instance);
    const fed = await eventually(async () => {
      const { instances } = InstancesSchema.parse(await (await server.fetch(`/api/v1/services/${named('users')}/instances/latency?window=5m`)).json());
      const withCalls = instances.filter((instance) => instance.inbound.some((point) => point.rps > 0)).map((instance) => instance.id);
      return withCalls.length === registeredIds.length ? withCalls : undefined;
    }, 30_000, 'every users instance fed');
    expect(new Set(fed)).toEqual(new Set(registeredIds));
  });

  it('draws the queue between the Kafka producer and consumer and the databases from the OTLP half’s spans', async () => {
    const found = await eventually(
      async () => {
        const { nodes, edges } = await topology();
        const kindOf = new Map(nodes.map((node) => [node.id, node.kind]));
        const observed = edges.filter((edge) => (edge.rps ?? 0) > 0);
        // orders publishes and notifications consumes: both only through spans (no ingest, no duration metric for Kafka).
        const queue = observed.find((edge) => edge.from === named('orders') && kindOf.get(edge.to) === 'queue')?.to;
        const consumed = queue !== undefined && observed.some((edge) => edge.from === queue && edge.to === named('notifications'));
        // payments reaches MySQL only through db client spans.
        const database = observed.find((edge) => edge.from === named('payments') && kindOf.get(edge.to) === 'database')?.to;
        return consumed && database ? { queue, database } : undefined;
      },
      30_000,
      'queue and database nodes from spans',
    );
    // The spans name the peer as the registrations declare it: one node per dependency, not two.
    expect(found).toEqual({ queue: 'kafka', database: 'mysql' });
    const { nodes } = await topology();
    expect(nodes.filter((node) => /kafka|mysql|postgres|redis/.test(node.id)).map((node) => node.id).sort()).toEqual(['kafka', 'mysql', 'postgres', 'redis']);
  });
});

describe('a service reporting OTLP server metrics, called by an ingest reporter', () => {
  it('counts each call once in the callee series: its own server metrics, not also the caller’s report', async () => {
    // A service of its own (independent of the demo fleet's traffic, and of an earlier attempt's posts), registered.
    const ledger = `ledger-${Date.now().toString(36)}`;
    const caller = `${ledger}-gateway`;
    await etcd.put(`/services/${ledger}/${ledger}-1`, JSON.stringify({ address: '127.0.0.1:9301' }));
    await eventually(async () => ((await (await server.fetch('/api/v1/services')).text()).includes(ledger) ? true : undefined), 10_000, 'ledger registered');
    const token = await server.createToken({ name: 'ledger-check', role: 'viewer' });
    const now = Date.now();
    const nanos = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
    // 100 requests answered by ledger, as its OpenTelemetry SDK reports them (delta, OTLP JSON).
    const otlp = await fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: ledger } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'http.server.request.duration',
                    unit: 's',
                    histogram: {
                      aggregationTemporality: 1,
                      dataPoints: [
                        {
                          startTimeUnixNano: nanos(now - 5_000),
                          timeUnixNano: nanos(now),
                          count: '100',
                          bucketCounts: ['0', '100', '0'],
                          explicitBounds: [0.005, 0.05],
                          attributes: [{ key: 'http.response.status_code', value: { intValue: '200' } }],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(otlp.status).toBe(200);
    // The same 100 requests, as the calling gateway reports them through ingest.
    const ingest = await fetch(`${server.url}/api/v1/ingest/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reporter: { service: caller, instance: `${caller}-1` },
        intervalStart: new Date(now - 5_000).toISOString(),
        intervalSeconds: 5,
        calls: [{ to: ledger, toInstance: `${ledger}-1`, count: 100, errors: 0, latencyMs: { bounds: [5, 50], counts: [0, 100, 0] } }],
      }),
    });
    expect(ingest.status).toBe(202);

    const total = async (path: string): Promise<number> =>
      z.object({ points: z.array(z.object({ rps: z.number() })) }).parse(await (await server.fetch(path)).json()).points.reduce((sum, point) => sum + point.rps, 0);
    // The edge exists only through the caller's report: once it shows, both posts are recorded.
    const edge = `/api/v1/edges/latency?from=${caller}&to=${ledger}&window=5m`;
    await eventually(async () => ((await total(edge)) > 0 ? true : undefined), 10_000, 'the edge');
    expect(await total(edge)).toBeCloseTo(100, 6);
    expect(await total(`/api/v1/services/${ledger}/latency?window=5m`)).toBeCloseTo(100, 6);
  });
});
