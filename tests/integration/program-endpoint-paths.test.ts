import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { requestRawTarget } from '../support/raw-target';
import { eventually, startServer, type TestServer } from '../support/server';

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

/** Spellings of `path` that Next routes to `path`: dot segments, plain or escaped, and a query. */
const spellings = (path: string): string[] => [`/.${path}`, `/%2e${path}`, `/x/..${path}`, `/x/%2E%2e${path}?x=1`];

const batch = JSON.stringify({
  reporter: { service: 'gateway', instance: 'gateway-1' },
  intervalStart: new Date(Date.now() - 5_000).toISOString(),
  intervalSeconds: 5,
  calls: [{ to: 'users', count: 1, errors: 0, latencyMs: { bounds: [10], counts: [1, 0] } }],
});

describe('program endpoints reached through dot segments', () => {
  it('answer as their own path does, not as Next does', async () => {
    const json = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
    const cases = [
      { path: '/api/v1/ingest/calls', method: 'POST', body: batch, expected: { status: 202, body: '{"accepted":1}' } },
      { path: '/v1/metrics', method: 'POST', body: '{"resourceMetrics":[]}', expected: { status: 200, body: '{}' } },
      { path: '/v1/traces', method: 'POST', body: '{"resourceSpans":[]}', expected: { status: 200, body: '{}' } },
      { path: '/healthz', method: 'GET', body: undefined, expected: { status: 200, body: '{"status":"ok"}' } },
    ];
    for (const { path, method, body, expected } of cases) {
      for (const target of [path, ...spellings(path)]) {
        const answer = await requestRawTarget(server.url, method, target, json, body);
        // The start of the body is enough to tell Next's 404 page from the endpoint's answer.
        expect({ status: answer.status, body: answer.body.slice(0, 80) }, target).toEqual(expected);
      }
    }
  });
});
