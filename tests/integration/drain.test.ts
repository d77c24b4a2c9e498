import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage } from '@/lib/model/events';
import type { Instance } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

let etcd: TestEtcd;
let server: TestServer;
let healthy: Server;
let dataDir: string;
const env = { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500', SWITCHYARD_DRAIN_QUIET_SECONDS: '2' };

const register = (service: string, id: string, zone = 'z1'): Promise<unknown> =>
  etcd.put(`/services/${service}/${id}`, JSON.stringify({ address: `127.0.0.1:${(healthy.address() as AddressInfo).port}`, zone, health: { http: '/healthz' } }));
const drainUrl = (service: string, id: string): string => `${server.url}/api/v1/services/${encodeURIComponent(service)}/instances/${encodeURIComponent(id)}/drain`;
/** Operators signed in through the API: their names are the actors in history. */
let alice: string;
let bob: string;
const asUser = (cookie: string) => ({ cookie, origin: server.url });
const drain = (service: string, id: string, body: unknown): Promise<Response> =>
  server.fetch(drainUrl(service, id), { method: 'POST', headers: { 'content-type': 'application/json', ...asUser(alice) }, body: JSON.stringify(body) });
const undrain = (service: string, id: string): Promise<Response> => server.fetch(drainUrl(service, id), { method: 'DELETE', headers: asUser(bob) });
/** Created on the first start; the same users sign in again after a restart (same data dir). */
const operatorSession = (name: string): Promise<string> => server.userSession(name, 'operator');
const instance = async (service: string, id: string): Promise<Instance | undefined> => {
  const body = (await (await server.fetch(`/api/v1/services/${encodeURIComponent(service)}`)).json()) as { instances?: Instance[] };
  return body.instances?.find((i) => i.id === id);
};
const passing = (service: string, ids: string[]) =>
  eventually(async () => ((await Promise.all(ids.map((id) => instance(service, id)))).every((i) => i?.status === 'passing') ? true : undefined), 10_000, `${service} passing`);
const controlKeys = () => etcd.etcdctlKeys('/switchyard/drain/');
/**
 * A service of its own per attempt with two passing instances, `<name>-1` and `<name>-2` (so that
 * draining one is not refused as the last passing): a retry meets none of the first attempt's drains.
 */
const ownService = async (base: string): Promise<string> => {
  const name = perAttempt(base);
  for (const id of [`${name}-1`, `${name}-2`]) await register(name, id);
  await passing(name, [`${name}-1`, `${name}-2`]);
  return name;
};
/** Lifts every drain of `service` in etcd itself: cleanup that needs no dashboard, so the tests after start from none. */
const liftAll = async (service: string): Promise<void> => {
  await etcd.client.delete().prefix(`/switchyard/drain/${service}/`).exec();
};
const start = async (): Promise<void> => {
  server = await startServer({ etcdEndpoints: etcd.endpoints, dataDir, env });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
  alice = await operatorSession('alice');
  bob = await operatorSession('bob');
};

beforeAll(async () => {
  healthy = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  etcd = await startEtcd();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-drain-it-'));
  for (const id of ['p-1', 'p-2', 'p-3']) await register('pay', id, id === 'p-3' ? 'z2' : 'z1');
  await register('solo', 's-1');
  await register('odd', '10.0.0.5:20000');
  await start();
  await passing('pay', ['p-1', 'p-2', 'p-3']);
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  await new Promise((resolve) => healthy.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('drain API on real etcd', () => {
  it('lets exactly one of two simultaneous drains win; the other gets 409 with the current drain', async () => {
    const service = await ownService('race');
    const id = `${service}-1`;
    try {
      const [a, b] = await Promise.all([drain(service, id, { reason: 'deploy A' }), drain(service, id, { reason: 'deploy B' })]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = (a.status === 409 ? await a.json() : await b.json()) as { error: { code: string }; current: { reason: string } | null };
      expect(loser.error.code).toBe('already_drained');
      const winner = (a.status === 200 ? await a.json() : await b.json()) as Instance;
      expect(winner.drain).toMatchObject({ by: 'alice' });
      expect(['draining', 'no-traffic-data']).toContain((await instance(service, id))?.drainState ?? 'draining');
    } finally {
      await liftAll(service);
    }
  });

  it('keeps a drain through the instance re-registering and through a dashboard restart', async () => {
    // Its own drain on its own instance, not the one the test before left.
    const service = await ownService('kept');
    const id = `${service}-1`;
    try {
      expect((await drain(service, id, { reason: 'deploy' })).status).toBe(200);
      await etcd.delete(`/services/${service}/${id}`);
      await eventually(async () => ((await instance(service, id)) ? undefined : true), 5_000, `${id} gone`);
      await register(service, id);
      expect((await eventually(() => instance(service, id), 5_000, `${id} back`))?.drain?.by).toBe('alice');
      await server.stop();
      await start();
      expect((await instance(service, id))?.drain?.by).toBe('alice');
      expect((await undrain(service, id)).status).toBe(200);
      expect((await instance(service, id))?.drain).toBeNull();
      expect((await undrain(service, id)).status).toBe(409);
    } finally {
      await liftAll(service);
    }
  });

  it('refuses to drain the last passing instance unless forced', async () => {
    await passing('solo', ['s-1']);
    const refused = await drain('solo', 's-1', { reason: 'maintenance' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'last_passing_instance', field: 'force' });
    expect(await controlKeys()).toEqual([]);
    expect((await drain('solo', 's-1', { reason: 'maintenance', force: true })).status).toBe(200);
    expect((await undrain('solo', 's-1')).status).toBe(200);
  });

  it.each([
    ['no reason', 'pay', 'p-2', {}, 422, 'reason'],
    ['an unknown field', 'pay', 'p-2', { reason: 'r', by: 'mallory' }, 422, undefined],
    ['a TTL of a second', 'pay', 'p-2', { reason: 'r', ttlSeconds: 1 }, 422, 'ttlSeconds'],
    ['an unknown instance', 'pay', 'p-9', { reason: 'r' }, 404, 'id'],
    ['an unknown service', 'nope', 'p-1', { reason: 'r' }, 404, 'id'],
    ['an encoded dot-dot path', 'pay', 'a/../b', { reason: 'r' }, 422, 'id'],
    // Names may hold control characters (the registry lists such): this one is simply not registered.
    ['an id with a control character nothing registers', 'pay', 'p-2\u0007', { reason: 'r' }, 404, 'id'],
  ])('answers %s with %s naming the field, writing nothing', async (_label, service, id, body, status, field) => {
    const response = await drain(service, id, body);
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: { field?: string } }).error;
    if (field) expect(error.field).toBe(field);
    expect(await controlKeys()).toEqual([]);
  });

  it('refuses a huge body and bad JSON without writing', async () => {
    const huge = await server.fetch(drainUrl('pay', 'p-2'), { method: 'POST', body: JSON.stringify({ reason: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
    const bad = await server.fetch(drainUrl('pay', 'p-2'), { method: 'POST', body: '{"reason":' });
    expect(bad.status).toBe(400);
    expect(await controlKeys()).toEqual([]);
  });

  it('drains an id with a colon, keyed by the contract', async () => {
    await passing('odd', ['10.0.0.5:20000']);
    expect((await drain('odd', '10.0.0.5:20000', { reason: 'r', force: true })).status).toBe(200);
    expect(await controlKeys()).toEqual(['/switchyard/drain/odd/10.0.0.5%3A20000']);
    expect((await undrain('odd', '10.0.0.5:20000')).status).toBe(200);
  });

  it('goes draining → drained once reported calls stop, and says when there is no traffic data', async () => {
    const report = () =>
      server.fetch(`/api/v1/ingest/calls`, {
        method: 'POST',
        body: JSON.stringify({ reporter: { service: 'gw', instance: 'gw-1' }, intervalStart: new Date(Date.now() - 1_000).toISOString(), intervalSeconds: 1, calls: [{ to: 'pay', toInstance: 'p-2', count: 10, errors: 0, latencyMs: { bounds: [10], counts: [10, 0] } }] }),
      });
    await report();
    expect((await drain('pay', 'p-2', { reason: 'deploy' })).status).toBe(200);
    try {
      for (let i = 0; i < 3; i += 1) {
        await report();
        await new Promise((r) => setTimeout(r, 500));
      }
      // The monitor ticks every 2 s: its first verdict, with calls still arriving, is "draining".
      await eventually(async () => {
        await report();
        return (await instance('pay', 'p-2'))?.drainState;
      }, 5_000, 'a drain verdict').then((state) => expect(state).toBe('draining'));
      await eventually(async () => ((await instance('pay', 'p-2'))?.drainState === 'drained' ? true : undefined), 10_000, 'drained');
      expect((await drain('pay', 'p-3', { reason: 'no one calls me' })).status).toBe(200);
      await eventually(async () => ((await instance('pay', 'p-3'))?.drainState === 'no-traffic-data' ? true : undefined), 5_000, 'no data');
    } finally {
      // Lifted whatever happened (409 for one never drained): a retry, and the bulk drain next, start from none.
      await undrain('pay', 'p-2');
      await undrain('pay', 'p-3');
    }
  });

  it('bulk-drains one zone as one action, with the guard', async () => {
    try {
      const bulk = await server.fetch(`/api/v1/services/pay/drain`, { method: 'POST', body: JSON.stringify({ reason: 'zone z1 maintenance', zone: 'z1' }) });
      expect(bulk.status).toBe(200);
      const body = (await bulk.json()) as { drained: Instance[] };
      expect(body.drained.map((i) => i.id).sort()).toEqual(['p-1', 'p-2']);
      const guard = await server.fetch(`/api/v1/services/pay/drain`, { method: 'POST', body: JSON.stringify({ reason: 'all of it', zone: 'z2' }) });
      expect(guard.status).toBe(409);
    } finally {
      await undrain('pay', 'p-1');
      await undrain('pay', 'p-2');
    }
  });

  it('lifts a timed drain by itself, with or without a dashboard, and records the expiry', async () => {
    expect((await drain('pay', 'p-1', { reason: 'timed, dashboard down', ttlSeconds: 10 })).status).toBe(200);
    await server.stop();
    await eventually(async () => ((await controlKeys()).length === 0 ? true : undefined), 20_000, 'lease expiry with no dashboard');
    await start();
    expect((await instance('pay', 'p-1'))?.drain).toBeNull();
    // Probed again first: right after a start, p-2 passing before its siblings are probed is the last passing instance (409).
    await passing('pay', ['p-1', 'p-2', 'p-3']);
    // A reason of its own per attempt: a retry must find its own expiry, not the first attempt's.
    const reason = perAttempt('timed, dashboard up');
    const timed = await drain('pay', 'p-2', { reason, ttlSeconds: 10 });
    expect(timed.status, await timed.clone().text()).toBe(200);
    const expired = await eventually(async () => {
      const page = (await (await server.fetch(`/api/v1/events?kind=instance.undrained&instance=p-2`)).json()) as EventPage;
      return page.events.find((e) => e.actor === 'ttl-expiry' && e.detail.includes(reason));
    }, 20_000, 'ttl-expiry event');
    expect(expired.detail).toContain(reason);
    const drains = (await (await server.fetch(`/api/v1/events?kind=instance.drained&service=pay`)).json()) as EventPage;
    expect(drains.events.every((e) => e.actor === 'alice' || e.actor === 'token:test-admin')).toBe(true);
    expect(drains.events.some((e) => e.detail.includes('for 10 s'))).toBe(true);
  });
});
