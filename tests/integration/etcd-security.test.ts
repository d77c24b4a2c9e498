import path from 'node:path';
import { io } from 'socket.io-client';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { createTestCerts, type TestCerts } from '../support/certs';
import { SWITCHYARD_ETCD_USER, startEtcd, type TestEtcd } from '../support/etcd';
import { firstSummary } from '../support/live-views';
import { perAttempt } from '../support/names';
import { ADMIN_PASSWORD, eventually, startServer, type TestServer } from '../support/server';
import { VIEWS_HANDSHAKE } from '@/lib/model/live';

// The product against an etcd that requires TLS client certificates or a password, and the
// dashboard itself over HTTPS. Every HTTP call goes through `call`, trusting the test CA when the
// server speaks HTTPS.

const PREFIXES = { SWITCHYARD_PREFIXES: '/services/' };
const AUTH = { rootPassword: 'root-secret', password: 'switchyard-secret', readPrefixes: ['/services/'], controlPrefix: '/switchyard/' };

let certs: TestCerts;
let strangerCerts: TestCerts;
/** As the admin's token; `server.fetch` trusts the test CA when the server speaks HTTPS. */
function call(server: TestServer, route: string, init: RequestInit = {}): Promise<Response> {
  return server.fetch(route, init);
}

const serviceIds = async (server: TestServer, service: string): Promise<string[]> => {
  const body = (await (await call(server, '/api/v1/services')).json()) as { services: { name: string; instances: Instance[] }[] };
  return (body.services.find((s) => s.name === service)?.instances ?? []).map((i) => i.id).sort();
};
const ready = (server: TestServer): Promise<true> =>
  eventually(async () => ((await call(server, '/readyz')).status === 200 ? true : undefined), 15_000, 'ready');
const register = (etcd: TestEtcd, service: string, id: string): Promise<string> =>
  etcd.etcdctl('put', `/services/${service}/${id}`, JSON.stringify({ address: '127.0.0.1:1', zone: 'z1' }));
const drain = (server: TestServer, service: string, id: string): Promise<Response> =>
  call(server, `/api/v1/services/${service}/instances/${id}/drain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-switchyard-actor': 'tls-test' },
    body: JSON.stringify({ reason: 'security test', force: true }),
  });

/**
 * A service of its own per attempt, registered (o-1) before the server starts: a retry would find
 * the first attempt's o-2 already listed and already drained.
 */
async function ownService(etcd: TestEtcd): Promise<string> {
  const service = perAttempt('orders');
  await register(etcd, service, 'o-1');
  return service;
}

/** Registry sync, a watch update and a drain written to etcd: what any secured etcd must still allow. */
async function expectFullService(etcd: TestEtcd, server: TestServer, service: string): Promise<void> {
  await ready(server);
  expect(await serviceIds(server, service)).toEqual(['o-1']);
  await register(etcd, service, 'o-2');
  await eventually(async () => ((await serviceIds(server, service)).length === 2 ? true : undefined), 5_000, 'watch update');
  const response = await drain(server, service, 'o-2');
  expect(response.status).toBe(200);
  expect(await etcd.etcdctlKeys(`/switchyard/drain/${service}/`)).toEqual([`/switchyard/drain/${service}/o-2`]);
}

/**
 * A server that started but cannot read etcd: still serving, not ready, and saying why. The cause
 * may settle after a first attempt timed out on this busy machine, hence waiting for it.
 */
async function expectNotReadyBecause(server: TestServer, cause: RegExp): Promise<void> {
  const readyz = await eventually(async () => {
    const response = await call(server, '/readyz');
    const body = (await response.json()) as { status: string; registry: { state: string; message?: string } };
    return response.status === 503 && cause.test(body.registry.message ?? '') ? body : undefined;
  }, 15_000, `readyz saying ${String(cause)}`);
  expect(readyz).toMatchObject({ status: 'not_ready', registry: { state: 'unreachable' } });
  const diagnostics = (await (await call(server, '/api/v1/diagnostics')).json()) as { registry: { state: string; message?: string } };
  expect(diagnostics.registry.state).toBe('unreachable');
  expect(diagnostics.registry.message).toMatch(cause);
  expect((await call(server, '/healthz')).status).toBe(200);
  expect(server.output()).toMatch(cause);
}

beforeAll(async () => {
  [certs, strangerCerts] = await Promise.all([createTestCerts(), createTestCerts()]);
});
afterAll(async () => {
  certs?.remove();
  strangerCerts?.remove();
});

describe('etcd with TLS and client certificates, dashboard over HTTPS', () => {
  let etcd: TestEtcd;
  const servers: TestServer[] = [];
  const clientCert = (): Record<string, string> => ({ ETCD_CA_FILE: certs.caFile, ETCD_CERT_FILE: certs.client.certFile, ETCD_KEY_FILE: certs.client.keyFile });

  beforeAll(async () => {
    etcd = await startEtcd({ tls: { certs, clientCertAuth: true } });
    await register(etcd, 'orders', 'o-1');
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await etcd?.stop();
  });

  it('syncs, follows the watch and writes a drain through TLS', async () => {
    const service = await ownService(etcd);
    const server = await startServer({ etcdEndpoints: etcd.endpoints, tls: certs, env: { ...PREFIXES, ...clientCert() } });
    servers.push(server);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain(`Switchyard ready on ${server.url}`);
    await expectFullService(etcd, server, service);
  });

  it('serves HTTPS with HSTS, Socket.IO and ingest, and refuses plain HTTP on the same port', async () => {
    const server = await startServer({ etcdEndpoints: etcd.endpoints, tls: certs, env: { ...PREFIXES, ...clientCert() } });
    servers.push(server);
    const health = await call(server, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const ingest = await call(server, '/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(ingest.status).toBe(400);
    expect(ingest.headers.get('strict-transport-security')).toBe('max-age=31536000');

    const login = await call(server, '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', authorization: '' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    expect(login.headers.get('set-cookie')).toMatch(/^__Host-switchyard_session=[^;]+;.*Secure/);
    expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000');

    const socket = io(server.url, { transports: ['websocket'], auth: VIEWS_HANDSHAKE, ca: certs.ca.toString(), reconnection: false, forceNew: true, extraHeaders: { authorization: `Bearer ${server.adminToken}` } });
    try {
      const snapshot = await firstSummary(socket);
      expect(snapshot.services.map((s) => s.name)).toContain('orders');
    } finally {
      socket.close();
    }

    await expect(undiciFetch(`${server.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
    // A client that does not trust the CA is refused too: the certificate is really checked.
    await expect(undiciFetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('says the client certificate is missing when etcd requires one', async () => {
    const server = await startServer({ etcdEndpoints: etcd.endpoints, env: { ...PREFIXES, ETCD_CA_FILE: certs.caFile } });
    servers.push(server);
    await expectNotReadyBecause(server, /etcd refused our TLS client certificate: ETCD_CERT_FILE and ETCD_KEY_FILE/);
  });

  it('says the CA is wrong when etcd presents a certificate it did not sign, and keeps serving', async () => {
    const server = await startServer({ etcdEndpoints: etcd.endpoints, env: { ...PREFIXES, ...clientCert(), ETCD_CA_FILE: strangerCerts.caFile } });
    servers.push(server);
    await expectNotReadyBecause(server, /etcd's TLS certificate is not trusted: ETCD_CA_FILE/);
  });

  it('refuses to start when a certificate file is missing, naming the variable and the path', async () => {
    const missing = path.join(certs.dir, 'nope.crt');
    await expect(startServer({ etcdEndpoints: etcd.endpoints, env: { ...clientCert(), ETCD_CERT_FILE: missing } })).rejects.toThrow(
      `ETCD_CERT_FILE: cannot read ${missing} (ENOENT)`,
    );
    await expect(startServer({ etcdEndpoints: etcd.endpoints, env: { TLS_CERT_FILE: certs.server.certFile } })).rejects.toThrow(
      'TLS_KEY_FILE: must be set with TLS_CERT_FILE',
    );
  });
});

describe('etcd with authentication', () => {
  let etcd: TestEtcd;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    etcd = await startEtcd({ auth: AUTH });
    await register(etcd, 'orders', 'o-1');
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await etcd?.stop();
  });

  it('syncs, follows the watch and writes a drain as a user limited to its prefixes', async () => {
    const service = await ownService(etcd);
    const server = await startServer({ etcdEndpoints: etcd.endpoints, env: { ...PREFIXES, ETCD_USERNAME: SWITCHYARD_ETCD_USER, ETCD_PASSWORD: AUTH.password } });
    servers.push(server);
    await expectFullService(etcd, server, service);
  });

  it('with a wrong password keeps serving and says authentication failed', async () => {
    const server = await startServer({ etcdEndpoints: etcd.endpoints, env: { ...PREFIXES, ETCD_USERNAME: SWITCHYARD_ETCD_USER, ETCD_PASSWORD: 'wrong' } });
    servers.push(server);
    await expectNotReadyBecause(server, /etcd authentication failed: check ETCD_USERNAME and ETCD_PASSWORD/);
  });

  it('says which permission is missing when the user may not read a watched prefix', async () => {
    const server = await startServer({
      etcdEndpoints: etcd.endpoints,
      env: { SWITCHYARD_PREFIXES: '/services/,/elsewhere/', ETCD_USERNAME: SWITCHYARD_ETCD_USER, ETCD_PASSWORD: AUTH.password },
    });
    servers.push(server);
    await expectNotReadyBecause(server, /etcd denied access: the etcd user needs read on every watched prefix/);
  });
});
