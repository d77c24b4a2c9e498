import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { requestRawTarget } from '../support/raw-target';
import { eventually, startServer, type TestServer } from '../support/server';

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
/** What a client may send that a route might not export (OPTIONS is always answered). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

/** Every route handler under app/api, as a request path with each `[param]` filled in. */
function routePaths(): string[] {
  const apiDir = path.resolve(import.meta.dirname, '../../app/api');
  return readdirSync(apiDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => `/api/${path.dirname(file).split(path.sep).map((segment) => (segment.startsWith('[') ? 'x' : segment)).join('/')}`)
    .sort();
}

const anonymous = { authorization: 'Bearer not-a-token' };

/** Asserts the 405 and returns its error message (none for HEAD, which has no body). */
async function expectMethodNotAllowed(response: Response, allow: string, what: string): Promise<string> {
  expect(response.status, what).toBe(405);
  expect(response.headers.get('allow'), what).toBe(allow);
  expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
  if (what.startsWith('HEAD ')) return '';
  const body = ErrorBodySchema.parse(await response.json());
  expect(body.error.code, what).toBe('method_not_allowed');
  return body.error.message;
}

describe('a method a route does not export', () => {
  it('is 405 with Allow and the API error shape', async () => {
    const put = await server.fetch('/api/v1/services', { method: 'PUT' });
    await expectMethodNotAllowed(put, 'GET, HEAD, OPTIONS', 'PUT /api/v1/services');
    const del = await server.fetch('/api/v1/incidents?since=x', { method: 'DELETE' });
    await expectMethodNotAllowed(del, 'GET, HEAD, OPTIONS', 'DELETE /api/v1/incidents');
    const get = await server.fetch('/api/v1/auth/logout');
    expect(await expectMethodNotAllowed(get, 'OPTIONS, POST', 'GET /api/v1/auth/logout')).toMatch(/GET/);
    // Ingest is served ahead of Next (ingest-endpoint.ts) and answers alike.
    await expectMethodNotAllowed(await server.fetch('/api/v1/ingest/calls'), 'POST', 'GET /api/v1/ingest/calls');
  });

  it('is so on every route under app/api, Allow naming what the route exports (as Next answers OPTIONS)', async () => {
    const paths = routePaths();
    expect(paths.length).toBeGreaterThan(20);
    for (const route of paths) {
      const options = await server.fetch(route, { method: 'OPTIONS' });
      expect(options.status, `OPTIONS ${route}`).toBe(204);
      const allow = options.headers.get('allow') ?? '';
      expect(allow, route).toMatch(/OPTIONS/);
      const allowed = new Set(allow.split(', '));
      for (const method of METHODS.filter((m) => !allowed.has(m))) {
        await expectMethodNotAllowed(await server.fetch(route, { method }), allow, `${method} ${route}`);
      }
    }
  });

  it('tells an unauthenticated caller no more than before: OPTIONS named the methods already, and an unknown path stays 404', async () => {
    const options = await fetch(`${server.url}/api/v1/tokens`, { method: 'OPTIONS', headers: anonymous });
    expect(options.status).toBe(204);
    const put = await fetch(`${server.url}/api/v1/tokens`, { method: 'PUT', headers: anonymous });
    await expectMethodNotAllowed(put, options.headers.get('allow') ?? 'missing', 'PUT /api/v1/tokens unauthenticated');
    // A method the route has still asks for credentials first.
    expect((await fetch(`${server.url}/api/v1/tokens`, { headers: anonymous })).status).toBe(401);
    for (const headers of [anonymous, { authorization: `Bearer ${server.adminToken}` }]) {
      for (const method of ['GET', 'PUT'] as const) {
        const unknown = await fetch(`${server.url}/api/v1/no-such-thing`, { method, headers });
        expect(unknown.status, `${method} unknown path`).toBe(404);
        expect(unknown.headers.get('allow')).toBeNull();
      }
    }
  });

  it('is so for a route reached through dot segments, as Next routes them, and a path Next redirects keeps its 308', async () => {
    const headers = { authorization: `Bearer ${server.adminToken}` };
    for (const target of ['/./api/v1/services', '/%2e/api/v1/services', '/x/../api/v1/services', '/x/%2E%2e/api/v1/services', '/api/./v1/services']) {
      const answer = await requestRawTarget(server.url, 'PUT', target, headers);
      expect([answer.status, answer.headers.allow, answer.headers['content-type']], target).toEqual([405, 'GET, HEAD, OPTIONS', 'application/json']);
      expect(ErrorBodySchema.parse(JSON.parse(answer.body)).error.code, target).toBe('method_not_allowed');
    }
    // Next routes no path holding `//` or a backslash: it redirects it, `//x/api/…` to `/x/api/…`.
    for (const [target, location] of [
      ['//x/api/v1/services', '/x/api/v1/services'],
      ['/x\\..\\api/v1/services', '/api/v1/services'],
    ] as const) {
      const answer = await requestRawTarget(server.url, 'PUT', target, headers);
      expect([answer.status, answer.headers.location], target).toEqual([308, location]);
    }
  });

  it('leaves a supported method, HEAD of a GET route and a trailing slash to the route as before', async () => {
    expect((await server.fetch('/api/v1/services')).status).toBe(200);
    const head = await server.fetch('/api/v1/services', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const slash = await server.fetch('/api/v1/services/', { method: 'PUT', redirect: 'manual' });
    expect(slash.status).toBe(308);
  });
});
