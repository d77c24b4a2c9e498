import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { ExportMetricsRequestSchema, type ExportMetricsRequest } from '@/lib/model/otlp/schema';
import type { Instance } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { createMetricsStore } from '../metrics-store/store';
import { createStore, STAND_IN_KEY_PREFIX } from '../store/store';
import { createOtlpIntake } from './intake';
import { decodeMetricsRequest } from './proto';

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
/** OTLP JSON of one delta histogram point of `count` calls under 0.1 s, as written by hand. */
const deltaJson = (reporter: string, name: string, attributes: object[], count: number) => ({
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
const delta = (reporter: string, name: string, attributes: object[], count: number) => ExportMetricsRequestSchema.parse(deltaJson(reporter, name, attributes, count));

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

/** A reader collected by hand, as the periodic exporting reader does on its timer. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }

  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/**
 * What the real SDK exports for a seconds server histogram of `service` advised these bounds, once
 * these durations are recorded, as the JSON or protobuf exporter sends it and the endpoint reads it,
 * and when (the intake's clock for it).
 */
async function sdkExport(service: string, bounds: number[], seconds: readonly number[], encoding: 'json' | 'protobuf' = 'json'): Promise<{ request: ExportMetricsRequest; at: number }> {
  const reader = new CollectingReader();
  const meters = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }), readers: [reader] });
  const histogram = meters.getMeter('bounds-test').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: bounds } });
  for (const value of seconds) histogram.record(value, { 'http.route': '/pay' });
  const { resourceMetrics } = await reader.collect();
  await meters.shutdown();
  const at = Date.now();
  if (encoding === 'protobuf') return { request: decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array), at };
  return { request: ExportMetricsRequestSchema.parse(JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)))), at };
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

  describe('bounds no duration has', () => {
    const intakeAt = (at: number) => {
      const latency = createMetricsStore({ now: () => at });
      return { latency, intake: createOtlpIntake({ store, latency, now: () => at }).metrics };
    };
    const latest = (points: { rps: number; p50Ms: number | null; p99Ms: number | null }[]) => points.filter((p) => p.rps > 0).at(-1);

    it("reads calls the SDK put in the bucket (−1 s, 0 s] of bounds [-5, -1, 0, 0.1, 1] as ~0 ms, not within the first positive bucket's 0–100 ms", async () => {
      const { request, at } = await sdkExport('orders', [-5, -1, 0, 0.1, 1], [...Array<number>(60).fill(0), ...Array<number>(40).fill(0.05)]);
      const { latency, intake } = intakeAt(at);
      expect(intake.accept(request)).toMatchObject({ observed: 1, rejected: 0 });
      const point = latest(latency.service('orders', '5m'));
      expect(total(latency.service('orders', '5m'))).toBeCloseTo(100, 6);
      // 60 of 100 calls took 0 s: the median is one of them (the smallest latency the series holds), the p99 one of the 0.05 s calls, within (0, 100 ms].
      expect(point?.p50Ms).toBeLessThan(0.01);
      expect(point?.p99Ms).toBeGreaterThan(50);
      expect(point?.p99Ms).toBeLessThanOrEqual(100);
    });

    it('reads a bucket reaching 1e308 s as the overflow, at least its lower bound (100 ms): no latency the sender never gave, not null', async () => {
      const { request, at } = await sdkExport('billing', [0.1, 1e308], Array<number>(10).fill(5));
      const { latency, intake } = intakeAt(at);
      expect(intake.accept(request)).toMatchObject({ observed: 1, rejected: 0 });
      const point = latest(latency.service('billing', '5m'));
      // Closed at 1 h, the bucket read p50 1800.05 s and p99 3564 s for calls of 5 s. The sketch holds 100 ms within 2 %.
      for (const percentile of [point?.p50Ms, point?.p99Ms]) {
        expect(percentile).toBeGreaterThanOrEqual(98);
        expect(percentile).toBeLessThanOrEqual(102);
      }
    });

    it('refuses, with a reason and counted, a point whose bounds repeat or hold NaN, as the SDK sends them advised so (JSON writes NaN as null, protobuf as NaN)', async () => {
      const repeated = await sdkExport('users', [0.1, 0.1, 1], [0.05, 0.5]);
      const { latency, intake } = intakeAt(repeated.at);
      expect(intake.accept(repeated.request)).toEqual({ observed: 0, rejected: 1, externalOverflow: 0, reason: 'http.server.request.duration: explicitBounds are not strictly increasing (0.1 then 0.1)' });
      for (const encoding of ['json', 'protobuf'] as const) {
        const { request } = await sdkExport('users', [0.1, Number.NaN, 1], [0.05, 0.5], encoding);
        expect(intake.accept(request)).toMatchObject({ observed: 0, rejected: 1, reason: 'http.server.request.duration: explicitBounds hold NaN, not a finite number' });
      }
      expect(total(latency.service('users', '5m'))).toBe(0);
      expect(intake.malformedHistograms()).toEqual({ points: 3, last: { service: 'users', metric: 'http.server.request.duration', reason: 'explicitBounds hold NaN, not a finite number' } });
    });

    it('refuses a point with a count below zero (no SDK sends one: OTLP JSON written by hand) and keeps the rest of the request', () => {
      const raw = deltaJson('users', 'rpc.server.call.duration', [], 1);
      const points = raw.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.histogram.dataPoints;
      const good = points?.[0];
      if (!points || !good) throw new Error('no point');
      points.push({ ...good, attributes: [str('http.route', '/other')], count: '1', bucketCounts: ['2', '-1'] });
      const { latency, intake } = setup();
      expect(intake.accept(ExportMetricsRequestSchema.parse(raw))).toEqual({ observed: 1, rejected: 1, externalOverflow: 0, reason: 'rpc.server.call.duration: bucketCounts hold -1, below zero' });
      expect(total(latency.service('users', '5m'))).toBeCloseTo(1, 6);
      expect(intake.malformedHistograms().points).toBe(1);
    });
  });
});
