import { describe, expect, it } from 'vitest';
import type { RegistryLookup } from './peer';
import { durationBucket, spanFact } from './spans';
import { ExportTraceRequestSchema, type OtlpSpan } from './trace-schema';

const registry: RegistryLookup = {
  instanceAt: (hostPort) => (hostPort === '10.0.0.7:9000' ? { service: 'users', id: 'u-7' } : undefined),
  hasService: (name) => name === 'users' || name === 'gateway',
  hasInstance: (service, id) => (service === 'users' && (id === 'u-7' || id === 'u-1')) || (service === 'gateway' && id === 'gw-1'),
  isLost: () => false,
  isDeparted: () => false,
};
const TRACE = '0af7651916cd43dd8448eb211c80319c';
type Value = string | number;

function span(kind: number, attributes: Record<string, Value> = {}, extra: Partial<Record<'parentSpanId' | 'spanId', string>> & { status?: number } = {}): OtlpSpan {
  const parsed = ExportTraceRequestSchema.parse({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE,
                spanId: extra.spanId ?? 'b7ad6b7169203331',
                parentSpanId: extra.parentSpanId ?? '',
                kind,
                startTimeUnixNano: '1800000000000000000',
                endTimeUnixNano: '1800000000025000000',
                attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } })),
                status: { code: extra.status ?? 0 },
              },
            ],
          },
        ],
      },
    ],
  });
  return parsed.resourceSpans[0]?.scopeSpans[0]?.spans[0] as OtlpSpan;
}
const gateway = { service: 'gateway', instance: 'gw-1' };

describe('spanFact', () => {
  it('a client span waits under trace id + its span id, naming its callee from peer attributes', () => {
    expect(spanFact(span(3, { 'server.address': '10.0.0.7', 'server.port': 9000 }), gateway, registry)).toEqual({
      role: 'client',
      pairKey: `${TRACE}:b7ad6b7169203331`,
      reporter: gateway,
      callee: { service: 'users', instance: 'u-7', external: false },
      endMs: 1_800_000_000_025,
      // Nanoseconds since the epoch are doubles (±256 ns today): the 25 ms come back within a µs.
      durationMs: expect.closeTo(25, 3),
      error: false,
    });
  });

  it('a server span pairs under trace id + its parent span id, and names the registered instance at its address', () => {
    const fact = spanFact(span(2, { 'server.address': '10.0.0.7', 'server.port': 9000, 'http.response.status_code': 503 }, { parentSpanId: 'b7ad6b7169203331', spanId: '00f067aa0ba902b7' }), { service: 'users', instance: 'random' }, registry);
    expect(fact).toMatchObject({ role: 'server', pairKey: `${TRACE}:b7ad6b7169203331`, reporter: { service: 'users', instance: 'u-7' }, error: true });
    expect(spanFact(span(2), { service: 'users' }, registry)).not.toHaveProperty('pairKey');
  });

  it('facts naming the reporter their resource names share its object (waiting spans hold it); another or no instance gets its own', () => {
    const users = { service: 'users', instance: 'u-1' };
    const client = spanFact(span(3, { 'server.address': '10.0.0.7', 'server.port': 9000 }), users, registry);
    const server = spanFact(span(2, {}, { parentSpanId: 'b7ad6b7169203331' }), users, registry);
    const elsewhere = spanFact(span(2, { 'server.address': '10.0.0.7', 'server.port': 9000 }), users, registry);
    expect(client).toMatchObject({ role: 'client' });
    expect(typeof client === 'object' && client?.role === 'client' && client.reporter).toBe(users);
    expect(typeof server === 'object' && server?.role === 'server' && server.reporter).toBe(users);
    expect(elsewhere).toMatchObject({ role: 'server', reporter: { service: 'users', instance: 'u-7' } });
    // A declared id the registry does not know names no instance: the service alone, not the resource's object.
    const unknown = { service: 'users', instance: 'random' };
    const unregistered = spanFact(span(2), unknown, registry);
    expect(typeof unregistered === 'object' && unregistered?.role === 'server' && unregistered.reporter).toEqual({ service: 'users' });
    expect(users).toEqual({ service: 'users', instance: 'u-1' });
    expect(unknown).toEqual({ service: 'users', instance: 'random' });
  });

  it('producer and consumer spans are edges through a queue named by destination and system', () => {
    const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };
    expect(spanFact(span(4, attributes), gateway, registry)).toMatchObject({ role: 'edge', from: 'gateway', to: 'kafka:orders', node: { name: 'kafka:orders', kind: 'queue', side: 'to' } });
    expect(spanFact(span(5, attributes), { service: 'users', instance: 'u-1' }, registry)).toMatchObject({ role: 'edge', from: 'kafka:orders', to: 'users', toInstance: 'u-1', node: { kind: 'queue', side: 'from' } });
  });

  it('a client span with db.system is an edge to a database named by namespace, name or address', () => {
    expect(spanFact(span(3, { 'db.system': 'mysql', 'db.name': 'shop' }), gateway, registry)).toMatchObject({ role: 'edge', to: 'mysql:shop', node: { kind: 'database' } });
    expect(spanFact(span(3, { 'db.system.name': 'postgresql', 'db.namespace': 'app' }), gateway, registry)).toMatchObject({ to: 'postgresql:app' });
    expect(spanFact(span(3, { 'db.system': 'redis', 'server.address': 'cache-1' }), gateway, registry)).toMatchObject({ to: 'redis:cache-1' });
  });

  it('the peer name the caller gives (service.peer.name, peer.service) names a queue or database before anything else', () => {
    const mysql = { 'db.system': 'mysql', 'db.name': 'orders', 'server.address': 'db-1' };
    expect(spanFact(span(3, { ...mysql, 'service.peer.name': 'mysql' }), gateway, registry)).toMatchObject({ to: 'mysql', node: { name: 'mysql', kind: 'database' } });
    expect(spanFact(span(3, { ...mysql, 'peer.service': 'orders-db' }), gateway, registry)).toMatchObject({ to: 'orders-db' });
    const kafka = { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events', 'service.peer.name': 'kafka' };
    expect(spanFact(span(4, kafka), gateway, registry)).toMatchObject({ to: 'kafka', node: { name: 'kafka', kind: 'queue', side: 'to' } });
    expect(spanFact(span(5, kafka), { service: 'users', instance: 'u-1' }, registry)).toMatchObject({ from: 'kafka', to: 'users' });
    // Without a destination or a db.system it is no queue or database span, peer name or not.
    expect(spanFact(span(3, { 'service.peer.name': 'users' }), gateway, registry)).toMatchObject({ role: 'client' });
  });

  it('errors: status ERROR, HTTP ≥ 500, RPC not OK; not a 404', () => {
    expect(spanFact(span(3, {}, { status: 2 }), gateway, registry)).toMatchObject({ error: true });
    expect(spanFact(span(3, { 'rpc.system': 'grpc', 'rpc.grpc.status_code': 14 }), gateway, registry)).toMatchObject({ error: true });
    expect(spanFact(span(3, { 'http.response.status_code': 404 }), gateway, registry)).toMatchObject({ error: false });
  });

  it('refuses a queue or database name over 256 characters, as ingest refuses long names', () => {
    expect(spanFact(span(4, { 'messaging.destination.name': 'q'.repeat(300) }), gateway, registry)).toMatch(/over 256/);
    expect(spanFact(span(3, { 'db.system': 'mysql', 'db.name': 'd'.repeat(300) }), gateway, registry)).toMatch(/over 256/);
  });

  it('ignores internal spans and refuses spans without ids or times', () => {
    expect(spanFact(span(1), gateway, registry)).toBeNull();
    expect(spanFact({ ...span(3), spanId: '' }, gateway, registry)).toMatch(/spanId/);
    expect(spanFact({ ...span(3), endTimeUnixNano: 1 }, gateway, registry)).toMatch(/ends before/);
  });

  it('the schema refuses ids that are not hex of the right length', () => {
    const parsed = ExportTraceRequestSchema.safeParse({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 'b7ad6b7169203331' }] }] }] });
    expect(parsed.success).toBe(false);
  });

  it('records a duration in its bucket of a fixed log scale: within ±4.5 % at the midpoint, 28 values a decade', () => {
    for (const ms of [0.2, 1, 30, 999, 60_000]) {
      const { lower, upper } = durationBucket(ms);
      expect(lower).toBeLessThan(ms);
      expect(upper).toBeGreaterThanOrEqual(ms * (1 - 1e-12));
      expect(Math.abs(lower + (upper - lower) / 2 - ms) / ms).toBeLessThan(0.045);
    }
    const distinct = new Set(Array.from({ length: 1_000 }, (_, i) => durationBucket(10 + i * 0.09).upper));
    // A decade (10–100 ms) is 3.3 doublings: at most 28 distinct values, under the store's 64 kept exactly.
    expect(distinct.size).toBeLessThanOrEqual(28);
    expect(durationBucket(0).upper).toBeGreaterThan(0);
  });

  it('gives a bucket as one frozen [lower, upper] list, the same for every duration in it, up to the clamps', () => {
    const bucket = durationBucket(30);
    expect(bucket.bounds).toEqual([bucket.lower, bucket.upper]);
    expect(durationBucket(bucket.lower + (bucket.upper - bucket.lower) / 2).bounds).toBe(bucket.bounds);
    expect(Object.isFrozen(bucket.bounds)).toBe(true);
    // Beyond the clamps (1 µs, an hour), the end buckets.
    expect(durationBucket(0).bounds).toBe(durationBucket(0.0001).bounds);
    expect(durationBucket(0).upper).toBeGreaterThanOrEqual(0.001);
    expect(durationBucket(10 * 3_600_000).bounds).toBe(durationBucket(3_600_000).bounds);
    expect(durationBucket(3_600_000).upper).toBeGreaterThanOrEqual(3_600_000);
  });
});
