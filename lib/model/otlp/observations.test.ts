import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createExternalNodes } from './externals';
import { observationsOf } from './observations';
import type { RegistryLookup } from './peer';
import { ExportMetricsRequestSchema } from './schema';
import { createCumulativeTracker } from './temporality';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');

const registry: RegistryLookup = {
  instanceAt: (hostPort) => (hostPort === '10.0.0.7:9000' ? { service: 'users', id: 'u-7' } : undefined),
  hasService: (name) => name === 'users',
  hasInstance: (service, id) => service === 'users' && id === 'u-7',
  isLost: () => false,
  isDeparted: () => false,
};
const NOW = 1_800_000_000_000;
const nanos = (ms: number): string => `${ms}000000`;

function context(externalCap = 10) {
  const now = (): number => NOW;
  return { registry, cumulative: createCumulativeTracker({ now, maxStreams: 100, ttlMs: 600_000, digest: sha256 }), externals: createExternalNodes({ cap: externalCap, ttlMs: 600_000, now }) };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

function request(metric: Record<string, unknown>, resource = [str('service.name', 'gateway'), str('service.instance.id', 'g-1')]) {
  return ExportMetricsRequestSchema.parse({ resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'otelhttp' }, metrics: [metric] }] }] });
}

const clientPoint = (startMs: number, timeMs: number, counts: string[], extra: object[] = []) => ({
  attributes: [str('server.address', '10.0.0.7'), int('server.port', 9000), ...extra],
  startTimeUnixNano: nanos(startMs),
  timeUnixNano: nanos(timeMs),
  count: String(counts.reduce((a, b) => a + Number(b), 0)),
  explicitBounds: [0.01, 0.1],
  bucketCounts: counts,
});

describe('observationsOf', () => {
  it('turns a delta client histogram in seconds into ms buckets on the edge to the registered instance', () => {
    const result = observationsOf(
      request({ name: 'http.client.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [clientPoint(NOW - 10_000, NOW, ['3', '1', '0'], [int('http.response.status_code', 502)])] } }),
      context(),
    );
    expect(result.rejected).toBe(0);
    expect(result.observations).toEqual([
      {
        reporter: { service: 'gateway', instance: 'g-1' },
        side: 'client',
        callee: { service: 'users', instance: 'u-7', external: false },
        startSecond: (NOW - 10_000) / 1_000,
        intervalSeconds: 10,
        count: 4,
        errors: 4,
        bounds: [10, 100],
        counts: [3, 1, 0],
      },
    ]);
  });

  it('reads the previous generation in ms, cumulative: the first point contributes nothing, the next its increase', () => {
    const ctx = context();
    const cumulative = (timeMs: number, counts: string[]) =>
      request({ name: 'rpc.server.duration', unit: 'ms', histogram: { aggregationTemporality: 2, dataPoints: [{ ...clientPoint(NOW - 60_000, timeMs, counts), explicitBounds: [10, 100] }] } });
    expect(observationsOf(cumulative(NOW - 10_000, ['5', '0', '0']), ctx).observations).toEqual([]);
    const [second] = observationsOf(cumulative(NOW, ['7', '1', '0']), ctx).observations;
    expect(second).toMatchObject({ side: 'server', count: 3, errors: 0, bounds: [10, 100], counts: [2, 1, 0], intervalSeconds: 10 });
    expect(second?.callee).toBeUndefined();
  });

  it("counts a caller's new stream of 503s at the first export that carries it, as errors (Go: every stream starts at the SDK's start)", () => {
    const ctx = context();
    const sdkStart = NOW - 3_600_000;
    const ok = (timeMs: number, calls: number) => clientPoint(sdkStart, timeMs, [String(calls), '0', '0'], [int('http.response.status_code', 200)]);
    const cumulative = (...dataPoints: object[]) => request({ name: 'http.client.request.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints } });
    observationsOf(cumulative(ok(NOW - 20_000, 100)), ctx);
    observationsOf(cumulative(ok(NOW - 10_000, 110)), ctx);
    const failing = observationsOf(cumulative(ok(NOW, 112), clientPoint(sdkStart, NOW, ['0', '0', '8'], [int('http.response.status_code', 503)])), ctx).observations;
    expect(failing.map(({ count, errors, startSecond, intervalSeconds }) => ({ count, errors, startSecond, intervalSeconds }))).toEqual([
      { count: 2, errors: 0, startSecond: (NOW - 10_000) / 1_000, intervalSeconds: 10 },
      { count: 8, errors: 8, startSecond: (NOW - 10_000) / 1_000, intervalSeconds: 10 },
    ]);
  });

  it('reads exponential histograms', () => {
    const [observed] = observationsOf(
      request({
        name: 'http.server.request.duration',
        unit: 's',
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: [{ startTimeUnixNano: nanos(NOW - 5_000), timeUnixNano: nanos(NOW), count: '3', scale: 0, zeroCount: '0', positive: { offset: -5, bucketCounts: ['1', '2'] } }],
        },
      }),
      context(),
    ).observations;
    // Scale 0, index −5 is (1/32, 1/16] s, index −4 is (1/16, 1/8] s.
    expect(observed).toMatchObject({ count: 3, bounds: [31.25, 62.5, 125], counts: [0, 1, 2, 0] });
  });

  it('ignores other metrics and refuses duration points it cannot use, with the first reason', () => {
    const result = observationsOf(
      ExportMetricsRequestSchema.parse({
        resourceMetrics: [
          { resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [clientPoint(NOW - 1_000, NOW, ['1', '0', '0'])] } }] }] },
          {
            resource: { attributes: [str('service.name', 'gateway')] },
            scopeMetrics: [
              {
                metrics: [
                  { name: 'process.cpu.time', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [clientPoint(NOW - 1_000, NOW, ['1', '0', '0'])] } },
                  { name: 'http.server.request.duration', unit: 'By', histogram: { aggregationTemporality: 1, dataPoints: [clientPoint(NOW - 1_000, NOW, ['1', '0', '0'])] } },
                  { name: 'http.client.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{ ...clientPoint(NOW - 1_000, NOW, ['1', '0', '0']), attributes: [] }] } },
                ],
              },
            ],
          },
        ],
      }),
      context(),
    );
    expect(result).toMatchObject({ observations: [], rejected: 3, reason: 'resource has no service.name attribute' });
  });

  it('bounds external nodes (unregistered reporters and callees): a new name beyond the cap is refused and counted', () => {
    const external = (host: string) => ({ ...clientPoint(NOW - 1_000, NOW, ['1', '0', '0']), attributes: [str('server.address', host), int('server.port', 443)] });
    const result = observationsOf(
      request({ name: 'http.client.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [external('a.example'), external('b.example'), external('a.example')] } }),
      // The unregistered reporter `gateway` takes one place, a.example:443 the other.
      context(2),
    );
    expect(result.observations.map((o) => o.callee?.service)).toEqual(['a.example:443', 'a.example:443']);
    expect(result).toMatchObject({ rejected: 1, externalOverflow: 1 });
  });

  it("counts a cumulative stream refused for the external cap, once admitted, by its increase: never all it counted since the SDK's start", () => {
    let now = NOW;
    const ctx = {
      registry,
      cumulative: createCumulativeTracker({ now: () => now, maxStreams: 100, ttlMs: 600_000, digest: sha256 }),
      // The reporter `gateway` takes one place, a.example the other until unseen for 15 s.
      externals: createExternalNodes({ cap: 2, ttlMs: 15_000, now: () => now }),
    };
    const sdkStart = NOW - 3_600_000;
    const external = (host: string, calls: number) => ({ ...clientPoint(sdkStart, now, [String(calls), '0', '0']), attributes: [str('server.address', host), int('server.port', 443)] });
    const collect = (...dataPoints: object[]) => observationsOf(request({ name: 'http.client.request.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints } }), ctx);
    const toUsers = (calls: number) => clientPoint(sdkStart, now, [String(calls), '0', '0']);
    expect(collect(toUsers(100), external('a.example', 50), external('b.example', 36_000)).rejected).toBe(1);
    // a.example gone quiet: its place frees 15 s after, and b.example's stream is admitted at its next collection.
    now += 10_000;
    expect(collect(toUsers(110), external('b.example', 36_010)).rejected).toBe(1);
    now += 10_000;
    const admitted = collect(toUsers(120), external('b.example', 36_015));
    expect(admitted.rejected).toBe(0);
    expect(admitted.observations.map(({ callee, count }) => ({ callee: callee?.service, count }))).toEqual([
      { callee: 'users', count: 10 },
      { callee: 'b.example:443', count: 5 },
    ]);
  });
});

describe('observationsOf: points refused for their buckets', () => {
  const point = (counts: string[], bounds: (number | null)[] = [0.01, 0.1], route = '/a') => ({
    attributes: [str('http.route', route)],
    startTimeUnixNano: nanos(NOW - 10_000),
    timeUnixNano: nanos(NOW),
    count: '1',
    explicitBounds: bounds,
    bucketCounts: counts,
  });
  const server = (...dataPoints: object[]) => ({ name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints } });
  const exponentialServer = (dataPoint: object) => ({
    name: 'http.server.request.duration',
    unit: 's',
    exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ attributes: [], startTimeUnixNano: nanos(NOW - 10_000), timeUnixNano: nanos(NOW), count: '1', scale: 0, ...dataPoint }] },
  });

  it('refuses an exponential point with a count below zero alone, counted, instead of failing the whole export', () => {
    for (const [dataPoint, reason] of [
      [{ zeroCount: '-1', positive: { offset: 0, bucketCounts: ['1'] } }, 'zeroCount is -1, below zero'],
      [{ zeroCount: '0', positive: { offset: 0, bucketCounts: ['1', '-2'] } }, 'positive bucketCounts hold -2, below zero'],
    ] as const) {
      const result = observationsOf(request(exponentialServer(dataPoint)), context());
      expect(result).toMatchObject({ observations: [], rejected: 1, malformedPoints: 1, reason: `http.server.request.duration: ${reason}`, lastMalformed: { service: 'gateway', metric: 'http.server.request.duration', reason } });
    }
  });

  it("reads an exponential point's zero bucket up to its zero threshold", () => {
    const result = observationsOf(request(exponentialServer({ zeroCount: '2', zeroThreshold: 0.002, positive: { offset: 3, bucketCounts: ['1'] } })), context());
    expect(result.observations.map(({ bounds, counts }) => ({ bounds, counts }))).toEqual([{ bounds: [2, 8_000, 16_000], counts: [2, 0, 1, 0] }]);
  });

  it("reads an explicit point's negative count where it is the only count (no bucketCounts) as a refused point, not a failed export", () => {
    const result = observationsOf(request(server({ ...point([]), count: '-4' })), context());
    expect(result).toMatchObject({ observations: [], rejected: 1, malformedPoints: 1, reason: 'http.server.request.duration: bucketCounts hold -4, below zero' });
  });

  it('decides "buckets in the other unit" from the first point that passes the check, not a refused first point', () => {
    const msDefault = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    const result = observationsOf(request(server(point(['1', '0', '0'], [1, 10, null]), point(['0', '1', ...msDefault.slice(1).map(() => '0')], msDefault, '/b'))), context());
    expect(result.rejected).toBe(1);
    expect(result.bucketsInOtherUnit).toEqual([{ service: 'gateway', metric: 'http.server.request.duration', unit: 's', points: 1, smallestPositiveBound: 5, largestBound: 10_000 }]);
    const secondsAfterRefused = observationsOf(request(server(point(['1', '0', '0'], [1, 10, null]), point(['0', '1', '0'], [0.01, 0.1], '/b'))), context());
    expect(secondsAfterRefused.bucketsInOtherUnit).toEqual([]);
    expect(secondsAfterRefused.observations).toHaveLength(1);
  });

  it('admits an unregistered sender as an external node only at its first point that passes the check: one whose points are all refused takes no place', () => {
    const ctx = context(1);
    const refusedOnly = observationsOf(request(server(point(['1', '0'], [0.1, 0.1]), point(['1', '-1', '0']))), ctx);
    expect(refusedOnly).toMatchObject({ rejected: 2, malformedPoints: 2, externalOverflow: 0 });
    // The cap's one place is still free for another sender.
    const other = observationsOf(request(server(point(['1', '0', '0'])), [str('service.name', 'billing')]), ctx);
    expect(other).toMatchObject({ rejected: 0, externalOverflow: 0 });
    expect(other.observations).toHaveLength(1);
    // And the cap holds: a third refused past it, point by point.
    const third = observationsOf(request(server(point(['1', '0', '0']), point(['1', '0', '0'], [0.01, 0.1], '/b')), [str('service.name', 'search')]), ctx);
    expect(third).toMatchObject({ rejected: 2, externalOverflow: 2, reason: 'http.server.request.duration: external node cap reached (reporter search is not registered)' });
  });
});

describe('observationsOf: duration histograms with buckets in the other unit', () => {
  const MS_DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
  const SECONDS_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
  const serverPoints = (bounds: number[], points: number) =>
    Array.from({ length: points }, (_, i) => ({
      attributes: [int('http.response.status_code', 200 + i)],
      startTimeUnixNano: nanos(NOW - 10_000),
      timeUnixNano: nanos(NOW),
      count: '3',
      explicitBounds: bounds,
      bucketCounts: [0, 3, ...bounds.map(() => 0)].slice(0, bounds.length + 1).map(String),
    }));
  const server = (unit: string, bounds: number[], points = 1, name = 'http.server.request.duration') => ({ name, unit, histogram: { aggregationTemporality: 1, dataPoints: serverPoints(bounds, points) } });

  it('names the reporter, the metric, its unit, bounds and points once per metric of an export, and still records its calls as sent', () => {
    const result = observationsOf(request(server('s', MS_DEFAULT_BOUNDS, 3)), context());
    expect(result.bucketsInOtherUnit).toEqual([{ service: 'gateway', metric: 'http.server.request.duration', unit: 's', points: 3, smallestPositiveBound: 5, largestBound: 10_000 }]);
    expect(result.observations).toHaveLength(3);
  });

  it('names a histogram in ms with seconds buckets (every call over 10 ms in the overflow bucket)', () => {
    const result = observationsOf(request(server('ms', SECONDS_BOUNDS, 2, 'http.server.duration')), context());
    expect(result.bucketsInOtherUnit).toEqual([{ service: 'gateway', metric: 'http.server.duration', unit: 'ms', points: 2, smallestPositiveBound: 0.005, largestBound: 10 }]);
    expect(result.observations).toHaveLength(2);
  });

  it('names none for seconds bounds in seconds, ms bounds in ms, real seconds buckets up to 1200 s, or an exponential histogram', () => {
    expect(observationsOf(request(server('s', SECONDS_BOUNDS)), context()).bucketsInOtherUnit).toEqual([]);
    expect(observationsOf(request(server('ms', MS_DEFAULT_BOUNDS, 1, 'http.server.duration')), context()).bucketsInOtherUnit).toEqual([]);
    expect(observationsOf(request(server('s', [1, 5, 10, 30, 60, 120, 300, 600, 1200], 1, 'rpc.server.call.duration')), context()).bucketsInOtherUnit).toEqual([]);
    const exponential = { name: 'http.server.request.duration', unit: 's', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ attributes: [], startTimeUnixNano: nanos(NOW - 10_000), timeUnixNano: nanos(NOW), count: '1', scale: 3, zeroCount: '0', positive: { offset: -40, bucketCounts: ['1'] } }] } };
    expect(observationsOf(request(exponential), context()).bucketsInOtherUnit).toEqual([]);
  });

  it('names none whose points were all refused: bounds not increasing are not recorded, as sent or otherwise', () => {
    const result = observationsOf(request(server('s', [5, 1000, 1000, 10_000], 2)), context());
    expect(result.rejected).toBe(2);
    expect(result.reason).toContain('not strictly increasing');
    expect(result.bucketsInOtherUnit).toEqual([]);
  });

  it('counts only the points recorded when some of the metric are refused', () => {
    const metric = server('s', MS_DEFAULT_BOUNDS, 3);
    const refused = metric.histogram.dataPoints[1];
    if (refused) refused.timeUnixNano = '0';
    const result = observationsOf(request(metric), context());
    expect(result.rejected).toBe(1);
    expect(result.bucketsInOtherUnit).toEqual([expect.objectContaining({ points: 2 })]);
  });
});
