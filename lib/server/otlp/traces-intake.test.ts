import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { ExportMetricsRequestSchema } from '@/lib/model/otlp/schema';
import { ExportTraceRequestSchema } from '@/lib/model/otlp/trace-schema';
import { createMetricsStore } from '../metrics-store/store';
import { createOtlpIntake } from './intake';
import { createReportAuthority } from '@/lib/model/otlp/authority';
import { createExternalNodes } from '@/lib/model/otlp/externals';
import { createRegistryLookup } from './registry-lookup';
import { createTracesIntake } from './traces-intake';

const registered = [
  { service: 'users', id: 'u-1', key: '/services/users/u-1', address: '10.0.0.1:9000' },
  { service: 'gateway', id: 'gw-1', key: '/services/gateway/gw-1', address: '10.0.0.2:8080' },
] as Instance[];
const store = { instances: () => registered.values(), subscribe: () => () => undefined };
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function setup(options: { maxExternalNodes?: number } = {}) {
  const clock = { now: 1_800_000_000_000 };
  const now = () => clock.now;
  const latency = createMetricsStore({ now });
  const otlp = createOtlpIntake({ store, latency, now, pairTtlMs: 10_000, ...options });
  return { clock, latency, otlp };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
interface SpanSpec {
  kind: number;
  spanId: string;
  parentSpanId?: string;
  ms: number;
  attributes?: object[];
  error?: boolean;
}
function spans(service: string, at: number, list: SpanSpec[]) {
  return ExportTraceRequestSchema.parse({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service), str('service.instance.id', `${service}-sdk`)] },
        scopeSpans: [
          {
            spans: list.map((s) => ({
              traceId: TRACE,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              kind: s.kind,
              startTimeUnixNano: `${at - s.ms}000000`,
              endTimeUnixNano: `${at}000000`,
              attributes: s.attributes ?? [],
              status: { code: s.error ? 2 : 0 },
            })),
          },
        ],
      },
    ],
  });
}
const total = (points: { rps: number }[]): number => points.reduce((sum, p) => sum + p.rps, 0);
const usersAddress = [str('server.address', '10.0.0.1'), { key: 'server.port', value: { intValue: '9000' } }];

describe('traces intake', () => {
  it("pairs a client span with its server span: one call on the edge (server duration) and on the callee's service and instance", () => {
    const { clock, latency, otlp } = setup();
    otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: '0000000000000001', ms: 40, attributes: usersAddress }]));
    otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', parentSpanId: '0000000000000001', ms: 30, attributes: usersAddress, error: true }]));
    expect(total(latency.edge('gateway', 'users', '5m'))).toBe(1);
    expect(total(latency.service('users', '5m'))).toBe(1);
    expect(total(latency.instance('users', 'u-1', '5m'))).toBe(1);
    clock.now += 2_000;
    const [edge] = latency.edges();
    expect(edge).toMatchObject({ from: 'gateway', to: 'users', errorRate: 1 });
    // The server span's 30 ms (its bucket of the fixed scale, ±4.5 %), not the client's 40.
    expect(Math.abs((edge?.p50Ms ?? 0) - 30)).toBeLessThan(30 * 0.045);
    // Nothing is left waiting to be counted again when it expires.
    clock.now += 20_000;
    otlp.traces.sweep();
    expect(total(latency.edge('gateway', 'users', '5m'))).toBe(1);
  });

  it('pairs them when the server span arrives first too (its exporter flushed first)', () => {
    const { clock, latency, otlp } = setup();
    otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', parentSpanId: '0000000000000001', ms: 30, attributes: usersAddress }]));
    otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: '0000000000000001', ms: 40, attributes: usersAddress, error: true }]));
    expect(total(latency.edge('gateway', 'users', '5m'))).toBe(1);
    clock.now += 2_000;
    expect(latency.edges()).toMatchObject([{ from: 'gateway', to: 'users', errorRate: 1 }]);
  });

  it('an unpaired server span with a parent is a lost client span: counted, on its service only, no edge (the Collector drops it too); an unpaired client span an edge to its named callee', () => {
    const { clock, latency, otlp } = setup();
    otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', parentSpanId: '00000000000000aa', ms: 5 }]));
    otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: '00000000000000bb', ms: 5, attributes: [str('peer.service', 'stripe')] }]));
    expect(total(latency.service('users', '5m'))).toBe(1);
    clock.now += 9_999;
    otlp.traces.sweep();
    expect(latency.edgePairs()).toEqual([]);
    clock.now += 1;
    otlp.traces.sweep();
    // Its caller sent traceparent, so it is instrumented: its client span was lost (an export
    // refused, a replica's pairing elsewhere), and no caller is known to draw.
    expect(latency.edgePairs()).toEqual([{ from: 'gateway', to: 'stripe' }]);
    expect(total(latency.service('users', '5m'))).toBe(1);
    expect(otlp.traces.stats()).toMatchObject({ expired: 2, serversAlone: 1, unattributed: 0 });
    expect(total(latency.edge('gateway', 'stripe', '5m'))).toBe(1);
    expect(total(latency.service('stripe', '5m'))).toBe(1);
    expect(otlp.externalNodes()).toMatchObject({ nodes: 1, refused: 0 });
  });

  it('a server span pushed out alone by the cap is counted the same way, with no edge', () => {
    const clock = { now: 1_800_000_000_000 };
    const now = () => clock.now;
    const latency = createMetricsStore({ now });
    const traces = createTracesIntake({
      registry: createRegistryLookup(store, { now }),
      latency,
      authority: createReportAuthority({ windowMs: 300_000, maxServices: 10, maxEdges: 10 }),
      externals: createExternalNodes({ now, cap: 10, ttlMs: 900_000 }),
      now,
      maxWaiting: 1,
      pairTtlMs: 10_000,
    });
    traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', parentSpanId: '00000000000000aa', ms: 5 }]));
    traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000003', parentSpanId: '00000000000000ab', ms: 5 }]));
    expect(traces.stats()).toMatchObject({ pushedOut: 1, serversAlone: 1, waiting: 1 });
    expect(latency.edgePairs()).toEqual([]);
    expect(total(latency.service('users', '5m'))).toBe(2);
  });

  it('a root server span (no parent: where a request entered the fleet) feeds its service and waits for nothing', () => {
    const { clock, latency, otlp } = setup();
    otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', ms: 5 }]));
    expect(total(latency.service('users', '5m'))).toBe(1);
    expect(otlp.traces.stats()).toMatchObject({ waiting: 0 });
    clock.now += 20_000;
    otlp.traces.sweep();
    expect(latency.edgePairs()).toEqual([]);
    expect(otlp.traces.stats()).toMatchObject({ expired: 0, serversAlone: 0 });
  });

  it('queue and database spans are edges to and from nodes of that kind', () => {
    const { clock, latency, otlp } = setup();
    const kafka = [str('messaging.system', 'kafka'), str('messaging.destination.name', 'orders')];
    otlp.traces.accept(spans('gateway', clock.now, [{ kind: 4, spanId: '0000000000000001', ms: 2, attributes: kafka }, { kind: 3, spanId: '0000000000000003', ms: 4, attributes: [str('db.system', 'mysql'), str('db.name', 'shop')] }]));
    otlp.traces.accept(spans('users', clock.now, [{ kind: 5, spanId: '0000000000000002', parentSpanId: '0000000000000001', ms: 8, attributes: kafka }]));
    clock.now += 2_000;
    const edges = latency.edges().map(({ from, to, fromKind, toKind }) => ({ from, to, fromKind, toKind }));
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'gateway', to: 'kafka:orders', fromKind: undefined, toKind: 'queue' },
        { from: 'kafka:orders', to: 'users', fromKind: 'queue', toKind: undefined },
        { from: 'gateway', to: 'mysql:shop', fromKind: undefined, toKind: 'database' },
      ]),
    );
    expect(edges).toHaveLength(3);
  });

  it('holds nodes outside the registry to the shared cap, and says so in partial_success', () => {
    const { clock, otlp } = setup({ maxExternalNodes: 1 });
    otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: '0000000000000003', ms: 4, attributes: [str('db.system', 'mysql'), str('db.name', 'shop')] }]));
    const outcome = otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: '0000000000000004', ms: 4, attributes: [str('db.system', 'redis')] }]));
    expect(outcome).toMatchObject({ observed: 0, rejected: 1, externalOverflow: 1, reason: expect.stringContaining('external node cap') });
    expect(otlp.externalNodes()).toEqual({ nodes: 1, refused: 1, cap: 1 });
  });
});

describe('metrics and traces together', () => {
  const histogram = (service: string, name: string, attributes: object[], count: number, at: number) =>
    ExportMetricsRequestSchema.parse({
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', service)] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name,
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [{ attributes, startTimeUnixNano: `${at - 1_000}000000`, timeUnixNano: `${at}000000`, count: String(count), explicitBounds: [0.1], bucketCounts: [String(count), '0'] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

  it("count each call once: the callee's server metrics own its series, the caller's client metrics own the edge", () => {
    const { clock, latency, otlp } = setup();
    otlp.metrics.accept(histogram('users', 'http.server.request.duration', usersAddress, 3, clock.now));
    otlp.metrics.accept(histogram('gateway', 'http.client.request.duration', usersAddress, 3, clock.now));
    for (const n of [1, 2, 3]) {
      otlp.traces.accept(spans('gateway', clock.now, [{ kind: 3, spanId: `000000000000000${n}`, ms: 5, attributes: usersAddress }]));
      otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: `00000000000000a${n}`, parentSpanId: `000000000000000${n}`, ms: 5, attributes: usersAddress }]));
    }
    expect(total(latency.edge('gateway', 'users', '5m'))).toBeCloseTo(3, 6);
    expect(total(latency.service('users', '5m'))).toBeCloseTo(3, 6);
    expect(total(latency.instance('users', 'u-1', '5m'))).toBeCloseTo(3, 6);
  });

  it('counts every server span of an export on its service, pairs each, and marks the service as reporting its server side', () => {
    const { clock, latency, otlp } = setup();
    const servers = ['01', '02', '03'].map((n) => ({ kind: 2, spanId: `00000000000000${n}`, parentSpanId: `000000000000c0${n}`, ms: 5 }));
    otlp.traces.accept(spans('users', clock.now, servers));
    expect(total(latency.service('users', '5m'))).toBe(3);
    otlp.traces.accept(spans('gateway', clock.now, ['01', '02', '03'].map((n) => ({ kind: 3, spanId: `000000000000c0${n}`, ms: 6, attributes: usersAddress }))));
    expect(total(latency.edge('gateway', 'users', '5m'))).toBe(3);
    expect(otlp.stats().spans).toMatchObject({ paired: 3, waiting: 0 });
    // Reporting its server side, users takes its callers' reports on the edge only; gateway does not.
    const calleeSeries = otlp.metrics.calleeSeries();
    expect(calleeSeries('users', undefined)).toBe('none');
    expect(calleeSeries('gateway', undefined)).toBe('service');
  });

  it("a callee that reports server spans keeps its callers' client metrics off its series", () => {
    const { clock, latency, otlp } = setup();
    otlp.traces.accept(spans('users', clock.now, [{ kind: 2, spanId: '0000000000000002', ms: 5 }]));
    otlp.metrics.accept(histogram('gateway', 'http.client.request.duration', usersAddress, 1, clock.now));
    expect(total(latency.service('users', '5m'))).toBeCloseTo(1, 6);
    expect(total(latency.edge('gateway', 'users', '5m'))).toBeCloseTo(1, 6);
  });
});
