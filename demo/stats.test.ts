import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bucketOf, createCallStats, httpCallReporter, LATENCY_BOUNDS_MS, startReporting, type CallReport } from './stats';

const gateway = { service: 'api-gateway', instance: 'api-gateway-1' };

describe('bucketOf', () => {
  it.each([
    [0.2, 0],
    [1, 0],
    [1.01, 1],
    [5000, LATENCY_BOUNDS_MS.length - 1],
    [5001, LATENCY_BOUNDS_MS.length],
  ])('%s ms → bucket %s', (latency, bucket) => {
    expect(bucketOf(latency)).toBe(bucket);
  });
});

describe('createCallStats', () => {
  it('summarises calls per caller and target, then starts a new interval', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const stats = createCallStats(() => now);
    stats.record(gateway, { to: 'auth', toInstance: 'auth-1', latencyMs: 3, error: false });
    stats.record(gateway, { to: 'auth', toInstance: 'auth-1', latencyMs: 700, error: true });
    stats.record(gateway, { to: 'redis', latencyMs: 0.4, error: false });
    stats.record({ service: 'orders', instance: 'o-1' }, { to: 'postgres', latencyMs: 2, error: false });
    now += 5_000;
    const reports = stats.take();
    expect(reports).toHaveLength(2);
    const [fromGateway] = reports;
    expect(fromGateway).toMatchObject({ reporter: gateway, intervalStart: '2025-01-01T00:00:00.000Z', intervalSeconds: 5 });
    const auth = fromGateway?.calls.find((call) => call.to === 'auth');
    expect(auth).toMatchObject({ toInstance: 'auth-1', count: 2, errors: 1 });
    expect(auth?.latencyMs.bounds).toEqual(LATENCY_BOUNDS_MS);
    expect(auth?.latencyMs.counts).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
    expect(auth?.latencyMs.counts[bucketOf(3)]).toBe(1);
    expect(auth?.latencyMs.counts[bucketOf(700)]).toBe(1);
    expect(fromGateway?.calls.find((call) => call.to === 'redis')).not.toHaveProperty('toInstance');
    now += 5_000;
    expect(stats.take()).toEqual([]);
  });
});

describe('httpCallReporter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('posts the report as JSON with the token, drops reports until there is one, and logs a failing endpoint only once', async () => {
    const bodies: unknown[] = [];
    let status = 404;
    const sink = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push({ type: request.headers['content-type'], authorization: request.headers.authorization, url: request.url, body: JSON.parse(body) as unknown });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/v1/ingest/calls`;
    const log = vi.fn();
    const credentials: { token?: string } = {};
    const reporter = httpCallReporter(url, () => credentials.token, log);
    const report: CallReport = { reporter: gateway, intervalStart: '2025-01-01T00:00:00.000Z', intervalSeconds: 5, calls: [] };
    await reporter.report(report);
    expect(bodies).toHaveLength(0);
    credentials.token = 'syd_demo';
    await reporter.report(report);
    await reporter.report(report);
    expect(log).toHaveBeenCalledTimes(1);
    status = 204;
    await reporter.report(report);
    expect(bodies).toHaveLength(3);
    expect(bodies[2]).toEqual({ type: 'application/json', authorization: 'Bearer syd_demo', url: '/api/v1/ingest/calls', body: report });
    await new Promise((resolve) => sink.close(resolve));
    await reporter.report(report);
    expect(log).toHaveBeenCalledTimes(2);
  });
});

describe('startReporting', () => {
  it('hands every interval’s reports to the reporter', async () => {
    vi.useFakeTimers();
    try {
      const stats = createCallStats();
      const received: CallReport[] = [];
      const reporting = startReporting(stats, { report: async (r) => void received.push(r) }, 5_000);
      stats.record(gateway, { to: 'auth', latencyMs: 1, error: false });
      await vi.advanceTimersByTimeAsync(5_000);
      expect(received.map((r) => r.reporter)).toEqual([gateway]);
      reporting.stop();
      stats.record(gateway, { to: 'auth', latencyMs: 1, error: false });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(received).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
