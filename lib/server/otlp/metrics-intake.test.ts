import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { ExportMetricsRequestSchema } from '@/lib/model/otlp/schema';
import type { Instance } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { createMetricsStore } from '../metrics-store/store';
import { createStore, STAND_IN_KEY_PREFIX } from '../store/store';
import { createOtlpIntake } from './intake';

const NOW = 1_800_000_000_000;
const registered = [
  { service: 'users', id: 'u-1', key: '/services/users/u-1', address: 'grpc://10.0.0.1:9000' },
  { service: 'users', id: 'users-1', key: '/services/users/users-1', address: '10.0.0.2:9000' },
] as Instance[];
const store = { instances: () => registered.values(), subscribe: () => () => undefined };

function setup() {
  const latency = createMetricsStore({ now: () => NOW });
  return { latency, intake: createOtlpIntake({ store, latency, now: () => NOW }).metrics };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const delta = (reporter: string, name: string, attributes: object[], count: number) =>
  ExportMetricsRequestSchema.parse({
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', reporter), str('service.instance.id', `${reporter}-1`)] },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                unit: 's',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [{ attributes, startTimeUnixNano: `${NOW - 10_000}000000`, timeUnixNano: `${NOW}000000`, count: String(count), explicitBounds: [0.1], bucketCounts: [String(count), '0'] }],
                },
              },
            ],
          },
        ],
      },
    ],
  });

/** A delta server histogram of `service` in seconds with these bounds, one point of 5 calls under the first positive bound. */
const secondsServer = (service: string, bounds: number[], name = 'http.server.request.duration') => {
  const request = delta(service, name, [], 5);
  const point = request.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.histogram?.dataPoints[0];
  if (point) Object.assign(point, { explicitBounds: bounds, bucketCounts: bounds.map((_, i) => (i === 1 ? 5 : 0)).concat(0) });
  return request;
};

/** The explicit bounds the installed @opentelemetry/sdk-metrics gives a histogram created in seconds advising none. */
async function sdkDefaultBounds(): Promise<number[]> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const meters = new MeterProvider({ readers: [reader] });
  try {
    meters.getMeter('test').createHistogram('http.server.request.duration', { unit: 's' }).record(0.03);
    await reader.forceFlush();
    const point = exporter.getMetrics()[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints[0];
    const value = point?.value;
    if (!value || typeof value === 'number' || !('buckets' in value)) throw new Error('no histogram point exported');
    return value.buckets.boundaries;
  } finally {
    await meters.shutdown();
  }
}

const total = (points: { rps: number }[]): number => points.reduce((sum, p) => sum + p.rps, 0);

describe('metrics intake', () => {
  it("names the instance at a registered address (scheme and all) and feeds the callee's series and the edge", () => {
    const { latency, intake } = setup();
    expect(intake.accept(delta('gateway', 'rpc.client.call.duration', [str('server.address', '10.0.0.1'), { key: 'server.port', value: { intValue: '9000' } }], 10))).toMatchObject({ observed: 1, rejected: 0 });
    expect(total(latency.service('users', '5m'))).toBeCloseTo(10, 6);
    expect(total(latency.instance('users', 'u-1', '5m'))).toBeCloseTo(10, 6);
    expect(total(latency.edge('gateway', 'users', '5m'))).toBeCloseTo(10, 6);
  });

  it("counts callers' calls to a lost instance for its service, though it reported server-side metrics (gone, it reports none of the calls failing on it), not for the instance", () => {
    const fleet = createStore({ coalesceMs: 0 });
    const registration = (id: string, lost?: Registration['lost']): Registration => ({ service: 'users', id, address: `10.0.0.${id.slice(2)}:9000`, format: 'native', metadata: {}, ...(lost ? { lost } : {}) });
    const register = (id: string): void => fleet.upsertKey({ etcdKey: `/services/users/${id}`, lease: '1', registrations: [registration(id)] });
    // As the lost tracker does: the key goes, a stand-in comes.
    const lose = (id: string): void => {
      fleet.removeKey(`/services/users/${id}`);
      fleet.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/services/users/${id}`, lease: undefined, registrations: [registration(id, { at: '2027-01-15T08:00:00Z', cause: 'lease expired', passingBefore: 2 })] });
      fleet.flush();
    };
    register('u-1');
    register('u-2');
    lose('u-1');
    const latency = createMetricsStore({ now: () => NOW });
    const intake = createOtlpIntake({ store: fleet, latency, now: () => NOW }).metrics;
    intake.accept(delta('users', 'rpc.server.call.duration', [], 4));
    const callTo = (address: string) => [str('server.address', address), { key: 'server.port', value: { intValue: '9000' } }];
    intake.accept(delta('gateway', 'rpc.client.call.duration', callTo('10.0.0.1'), 6));
    intake.accept(delta('gateway', 'rpc.client.call.duration', callTo('10.0.0.2'), 3));
    // The lost instance's 6 calls count for users (not for u-1, which starts clean when it returns); the live one's 3 are in users' own 4 already.
    expect(total(latency.instance('users', 'u-1', '5m'))).toBe(0);
    expect(total(latency.instance('users', 'u-2', '5m'))).toBe(0);
    expect(total(latency.service('users', '5m'))).toBeCloseTo(4 + 6, 6);
    expect(total(latency.edge('gateway', 'users', '5m'))).toBeCloseTo(9, 6);
    // Every instance lost: calls naming the service alone count too; once one is back, they do not.
    lose('u-2');
    intake.accept(delta('gateway', 'rpc.client.call.duration', [str('service.peer.name', 'users')], 5));
    expect(total(latency.service('users', '5m'))).toBeCloseTo(4 + 6 + 5, 6);
    register('u-2');
    fleet.flush();
    intake.accept(delta('gateway', 'rpc.client.call.duration', [str('service.peer.name', 'users')], 7));
    expect(total(latency.service('users', '5m'))).toBeCloseTo(4 + 6 + 5, 6);
  });

  it("does not count a call twice once the callee reports server-side metrics: the callers' then feed only the edge", () => {
    const { latency, intake } = setup();
    intake.accept(delta('users', 'rpc.server.call.duration', [], 10));
    intake.accept(delta('gateway', 'rpc.client.call.duration', [str('service.peer.name', 'users')], 10));
    expect(total(latency.service('users', '5m'))).toBeCloseTo(10, 6);
    expect(total(latency.instance('users', 'users-1', '5m'))).toBeCloseTo(10, 6);
    expect(total(latency.edge('gateway', 'users', '5m'))).toBeCloseTo(10, 6);
  });

  it('refuses points more than a day off the server clock', () => {
    const { intake } = setup();
    const old = delta('users', 'rpc.server.call.duration', [], 1);
    const point = old.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.histogram?.dataPoints[0];
    if (point) point.timeUnixNano = (NOW - 2 * 86_400_000) * 1e6;
    expect(intake.accept(old)).toMatchObject({ observed: 0, rejected: 1, reason: expect.stringContaining('more than a day') });
  });

  it("lists seconds histograms sent with the SDK's default (millisecond) bounds by service and metric, and logs once for each what to change", async () => {
    const msDefault = await sdkDefaultBounds();
    const lines: string[] = [];
    let now = NOW;
    const intake = createOtlpIntake({ store, latency: createMetricsStore({ now: () => now }), now: () => now, log: (line) => lines.push(line) }).metrics;
    intake.accept(secondsServer('orders', msDefault));
    intake.accept(secondsServer('orders', msDefault, 'rpc.server.call.duration'));
    now += 10_000;
    intake.accept(secondsServer('orders', msDefault));
    intake.accept(secondsServer('billing', msDefault));
    intake.accept(secondsServer('users', [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]));
    const bounds = { unit: 's', smallestPositiveBound: 5, largestBound: 10_000 };
    expect(intake.bucketsInOtherUnit()).toEqual({
      histograms: [
        { service: 'orders', metric: 'http.server.request.duration', ...bounds, points: 2, firstAt: NOW, lastAt: NOW + 10_000 },
        { service: 'orders', metric: 'rpc.server.call.duration', ...bounds, points: 1, firstAt: NOW, lastAt: NOW },
        { service: 'billing', metric: 'http.server.request.duration', ...bounds, points: 1, firstAt: NOW + 10_000, lastAt: NOW + 10_000 },
      ],
      cap: 1_000,
      unlistedPoints: 0,
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('orders');
    expect(lines[0]).toContain('http.server.request.duration');
    expect(lines[0]).toContain('under 5 s');
    expect(lines[0]).toContain('explicitBucketBoundaries');
    expect(lines[1]).toContain('rpc.server.call.duration');
    expect(lines[2]).toContain('billing');
  });

  it('logs for a histogram in ms with seconds bounds that every call over its largest bound lands in the overflow bucket', () => {
    const lines: string[] = [];
    const intake = createOtlpIntake({ store, latency: createMetricsStore({ now: () => NOW }), now: () => NOW, log: (line) => lines.push(line) }).metrics;
    const request = secondsServer('orders', [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10], 'http.server.duration');
    const metric = request.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
    if (metric) metric.unit = 'ms';
    intake.accept(request);
    expect(intake.bucketsInOtherUnit().histograms).toEqual([expect.objectContaining({ service: 'orders', metric: 'http.server.duration', unit: 'ms', largestBound: 10 })]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('over 10 ms');
    expect(lines[0]).not.toContain('explicitBucketBoundaries: [0.005');
  });

  it('lists 1,000 histograms at most, then adds none: the rest are counted, logged once together, and a listed one sending again logs nothing', () => {
    const lines: string[] = [];
    const intake = createOtlpIntake({ store, latency: createMetricsStore({ now: () => NOW }), now: () => NOW, maxExternalNodes: 100_000, log: (line) => lines.push(line) }).metrics;
    const msBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    for (let round = 0; round < 3; round += 1) for (let i = 0; i < 2_000; i += 1) intake.accept(secondsServer(`svc-${i}`, msBounds));
    const listed = intake.bucketsInOtherUnit();
    expect(listed.histograms).toHaveLength(1_000);
    expect(listed.histograms[0]).toMatchObject({ service: 'svc-0', points: 3 });
    expect(listed.histograms.at(-1)).toMatchObject({ service: 'svc-999', points: 3 });
    expect(listed.unlistedPoints).toBe(3 * 1_000);
    expect(lines).toHaveLength(1_001);
    expect(lines.at(-1)).toContain('1,000');
  });
});
