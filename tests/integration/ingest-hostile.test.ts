import { readFileSync } from 'node:fs';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callSeconds, MAX_CALL_SECONDS_PER_BATCH } from '@/lib/model/ingest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { INSPECTOR_NODE_ARGS, retainedHeapBytes } from '../support/inspector';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Issue 13, findings 1–3: ingest requests built to hurt the server (memory, a thrown error, a
 * chunked body too large to buffer), against the real server and etcd.
 */

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.put('/services/users/u-1', JSON.stringify({ address: '127.0.0.1:9001' }));
  server = await startServer({ etcdEndpoints: etcd.endpoints, nodeArgs: INSPECTOR_NODE_ARGS });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

/** The server's resident memory, from the kernel (the server is a child process). */
function rssBytes(): number {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error('no VmRSS');
  return Number(kb) * 1_024;
}

/** A report answers within this long or the test fails (before the fix the overflow batch never answered). */
const ANSWER_MS = 10_000;
const post = (body: unknown) =>
  server.fetch(`/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(ANSWER_MS) });

/** `n` bounds spread evenly on a log scale from `low` to `high` (in exponents: 1e300 / 1e-300 overflows). */
const logBounds = (n: number, low: number, high: number): number[] => {
  const [from, to] = [Math.log10(low), Math.log10(high)];
  return Array.from({ length: n }, (_, i) => (i === 0 ? low : i === n - 1 ? high : 10 ** (from + ((to - from) * i) / (n - 1))));
};

const batch = (reporter: string, calls: { to: string; toInstance?: string; bounds: number[] }[], intervalSeconds = 300) => ({
  reporter: { service: reporter, instance: `${reporter}-1` },
  intervalStart: new Date(Date.now() - intervalSeconds * 1_000).toISOString(),
  intervalSeconds,
  calls: calls.map(({ to, toInstance, bounds }) => ({
    to,
    ...(toInstance ? { toInstance } : {}),
    count: bounds.length + 1,
    errors: 0,
    latencyMs: { bounds, counts: new Array<number>(bounds.length + 1).fill(1) },
  })),
});

/** Memory the server may gain from one hostile request: far below the ~380 MB the bomb took, above GC noise. */
const RSS_BUDGET = 20 * 1024 * 1024;
/** What the series of one callee may hold: 3 series × (64 KB of open 1 s values + their open minutes), ~0.4 MB, with room. */
const PER_CALLEE_BUDGET = 1024 * 1024;

describe('hostile ingest', () => {
  it('refuses the 1 KB bomb (bounds from 1e-300 to 1e300 over 300 s) with 422 naming the bound, and stays within 20 MB', async () => {
    // Warm the ingest path first, so the measurement is of the bomb, not of first-use compilation.
    expect((await post(batch('warm', [{ to: 'users', bounds: [10, 50, 100] }], 5))).status).toBe(202);
    const before = rssBytes();
    const bomb = batch('bomber', [{ to: 'users', toInstance: 'u-1', bounds: logBounds(64, 1e-300, 1e300) }]);
    expect(JSON.stringify(bomb).length).toBeLessThan(2_048);
    const response = await post(bomb);
    expect(response.status).toBe(422);
    expect(ErrorSchema.parse(await response.json()).error.field).toBe('calls.0.latencyMs.bounds.0');
    expect(rssBytes() - before).toBeLessThanOrEqual(RSS_BUDGET);
  });

  // Bounds over the whole accepted range in 3 significant digits, so 1,000 calls fit the 1 MiB body.
  const wideBounds = logBounds(64, 0.001, 3_600_000).map((bound) => Number(bound.toPrecision(3)));

  it('refuses a batch over the per-batch limit (1,000 callees × 300 s) with 422 naming calls and the limit', async () => {
    const calls = Array.from({ length: 1_000 }, (_, i) => ({ to: `over-${i}`, bounds: [10, 50, 100] }));
    const response = await post(batch('over', calls));
    expect(response.status).toBe(422);
    const { error } = ErrorSchema.parse(await response.json());
    expect(error.field).toBe('calls');
    expect(error.message).toContain(MAX_CALL_SECONDS_PER_BATCH.toString());
  });

  // Into slots no earlier report touched: what one batch alone makes the server hold (README "Ingest limits").
  it.each([
    { shape: '1,000 callees × 5 s', callees: 1_000, intervalSeconds: 5 },
    { shape: '50 callees × 100 s', callees: 50, intervalSeconds: 100 },
  ])('accepts the costliest batch at the limit ($shape, 64 bounds over 1 µs to 1 h, new callees) within 20 MB', async ({ callees, intervalSeconds }) => {
    expect(callSeconds(callees, intervalSeconds)).toBeLessThanOrEqual(MAX_CALL_SECONDS_PER_BATCH);
    expect(callSeconds(callees + 1, intervalSeconds)).toBeGreaterThan(MAX_CALL_SECONDS_PER_BATCH);
    const calls = Array.from({ length: callees }, (_, i) => ({ to: `costly-${callees}-${i}`, toInstance: 'i-1', bounds: wideBounds }));
    const before = rssBytes();
    expect((await post(batch(`heavy-${callees}`, calls, intervalSeconds))).status).toBe(202);
    expect(rssBytes() - before).toBeLessThanOrEqual(RSS_BUDGET);
  });

  // A batch sent again into the same seconds merges into slots that already hold a report: what
  // each slot then keeps must stay small, or one batch re-sent costs what a new one never may.
  // Measured as the heap kept after full collections: a hundred requests leave tens of MB of
  // garbage and heap growth in RSS, which would hide what matters here.
  const sendTimes = async (body: ReturnType<typeof batch>, times: number): Promise<void> => {
    for (let sent = 0; sent < times; sent += 1) expect((await post(body)).status).toBe(202);
  };
  const callsTo = (prefix: string, callees: number) => Array.from({ length: callees }, (_, i) => ({ to: `${prefix}-${i}`, toInstance: 'i-1', bounds: wideBounds }));

  it('keeps ≤ 20 MB for the costliest batch at the limit (50 callees × 100 s, 64 bounds over 1 µs to 1 h) sent 10 times into the same seconds', async () => {
    const before = await retainedHeapBytes(server);
    await sendTimes(batch('resender', callsTo('resent', 50), 100), 10);
    expect((await retainedHeapBytes(server)) - before).toBeLessThanOrEqual(RSS_BUDGET);
  });

  it('keeps ≤ 1 MB a callee for 1 KB batches (64 bounds over 1 µs to 1 h, 300 s) to 10 distinct callees, each sent 10 times into the same seconds', async () => {
    const before = await retainedHeapBytes(server);
    for (let callee = 0; callee < 10; callee += 1) {
      const body = batch('small-bomber', callsTo(`small-bombed-${callee}`, 1));
      expect(JSON.stringify(body).length).toBeLessThan(2_048);
      await sendTimes(body, 10);
    }
    expect((await retainedHeapBytes(server)) - before).toBeLessThanOrEqual(10 * PER_CALLEE_BUDGET);
  });

  it.each([
    { label: 'a bound over an hour', bounds: [10, 3_600_001], field: 'calls.0.latencyMs.bounds.1' },
    { label: 'a zero bound', bounds: [0, 10], field: 'calls.0.latencyMs.bounds.0' },
    { label: '65 bounds', bounds: logBounds(65, 1, 1_000), field: 'calls.0.latencyMs.bounds' },
  ])('refuses $label with 422 naming $field', async ({ bounds, field }) => {
    const response = await post(batch('x', [{ to: 'users', bounds }], 5));
    expect(response.status).toBe(422);
    expect(ErrorSchema.parse(await response.json()).error.field).toBe(field);
  });

  it('refuses the overflow batch (bounds ending 1e308, 1.7e308) with 4xx, throws nothing, and answers the next report for that callee', async () => {
    const overflow = batch('overflow', [{ to: 'users', bounds: [...logBounds(62, 1, 1e300), 1e308, 1.7e308] }], 5);
    const refused = await post(overflow);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const normal = await post(batch('overflow', [{ to: 'users', bounds: [10, 50, 100] }], 5));
    expect(normal.status).toBe(202);
    expect(server.output()).not.toMatch(/RangeError|uncaught/i);
  });

  it('answers a 10 MB chunked body (no content-length) with 413, not a reset, and serves on', async () => {
    const target = new URL('/api/v1/ingest/calls', server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(target, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' } });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.setTimeout(ANSWER_MS, () => request.destroy(new Error('no answer')));
      expect(request.getHeader('content-length')).toBeUndefined();
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!request.write(chunk)) {
            request.once('drain', pump);
            return;
          }
        }
        request.end();
      };
      request.write('{"pad":"');
      pump();
    });
    expect(status).toBe(413);
    expect((await post(batch('after', [{ to: 'users', bounds: [10, 50, 100] }], 5))).status).toBe(202);
  });
});

describe('OTLP metrics built to hurt the server', () => {
  const big = (key: string) => ({ key, value: { stringValue: key.slice(-1).repeat(4_000) } });
  /** A 3.3 MB export (~30 KB gzipped): six cumulative points of 128 attributes of 4,000 characters each, under a resource of 64 more; each export's streams new. */
  const heavyExport = (n: number) => ({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'users' } }, { key: 'n', value: { stringValue: String(n) } }, ...Array.from({ length: 62 }, (_, k) => big(`r${k}`))] },
        scopeMetrics: [
          {
            scope: { name: 'hostile' },
            metrics: [
              {
                name: 'http.server.request.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: Array.from({ length: 6 }, (_, p) => ({
                    attributes: [{ key: 'p', value: { stringValue: `${n}-${p}` } }, ...Array.from({ length: 127 }, (_, k) => big(`a${k}`))],
                    startTimeUnixNano: '1800000000000000000',
                    timeUnixNano: '1800000010000000000',
                    count: '1',
                    bucketCounts: ['1', '0'],
                    explicitBounds: [0.1],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });

  it('refuses 4 MiB of empty messages (a 4 KB gzip) with 400 and the reason, in protobuf and JSON, before decoding them', async () => {
    const empties = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < empties.length; i += 2) empties[i] = 0x0a;
    const objects = Buffer.from(`{"resourceMetrics":[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]}`);
    for (const [type, body] of [
      ['application/x-protobuf', empties],
      ['application/json', objects],
    ] as const) {
      const response = await server.fetch('/v1/metrics', { method: 'POST', headers: { 'content-type': type, 'content-encoding': 'gzip' }, body: gzipSync(body), signal: AbortSignal.timeout(ANSWER_MS) });
      expect(response.status, type).toBe(400);
      expect(ErrorSchema.parse(await response.json()).error.message).toMatch(/more than 250000 messages in one export/);
    }
  });

  it('keeps ≤ 20 MB for 30 exports whose cumulative streams are named by 3.3 MB of attribute text each', async () => {
    const before = await retainedHeapBytes(server);
    for (let n = 0; n < 30; n += 1) {
      const body = gzipSync(JSON.stringify(heavyExport(n)));
      const response = await server.fetch('/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body, signal: AbortSignal.timeout(ANSWER_MS) });
      expect(response.status).toBe(200);
    }
    expect((await retainedHeapBytes(server)) - before).toBeLessThanOrEqual(RSS_BUDGET);
  });
});
