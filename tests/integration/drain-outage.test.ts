import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createDrainService } from '@/lib/server/drain';
import { createStore } from '@/lib/server/store/store';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

type ErrorBody = { error: { code: string; message: string } };

describe('drain and undrain while etcd is unreachable', () => {
  let etcd: TestEtcd;
  let server: TestServer;
  let healthy: Server;
  const drainUrl = (id: string): string => `/api/v1/services/pay/instances/${id}/drain`;
  const register = (id: string): Promise<unknown> =>
    etcd.put(`/services/pay/${id}`, JSON.stringify({ address: `127.0.0.1:${(healthy.address() as AddressInfo).port}`, zone: 'z1', health: { http: '/healthz' } }));
  const ready = async (): Promise<number> => (await server.fetch('/readyz')).status;

  beforeAll(async () => {
    healthy = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
    etcd = await startEtcd();
    for (const id of ['p-1', 'p-2', 'p-3']) await register(id);
    server = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_PROBE_INTERVAL_MS: '500' } });
    await eventually(async () => ((await ready()) === 200 ? true : undefined), 10_000, 'ready');
    await eventually(async () => {
      const body = (await (await server.fetch('/api/v1/services/pay')).json()) as { instances?: { status: string }[] };
      return body.instances?.filter((i) => i.status === 'passing').length === 3 ? true : undefined;
    }, 10_000, 'pay passing');
  });
  afterAll(async () => {
    await server?.stop();
    await etcd?.stop();
    await new Promise((resolve) => healthy?.close(resolve));
  });

  it('answers 503 registry_unavailable (not 500) to drain, undrain and bulk drain, writes nothing, and works again once etcd is back', async () => {
    // None drained (a retry finds what a failed first attempt left: etcd is brought back below whatever happens).
    for (const id of ['p-1', 'p-2', 'p-3']) await server.fetch(drainUrl(id), { method: 'DELETE' });
    expect((await server.fetch(drainUrl('p-2'), { method: 'POST', body: JSON.stringify({ reason: 'before the outage' }) })).status).toBe(200);

    await etcd.local.stop();
    try {
      await eventually(async () => ((await ready()) === 503 ? true : undefined), 30_000, 'readyz to notice the outage');

      const drain = await server.fetch(drainUrl('p-3'), { method: 'POST', body: JSON.stringify({ reason: 'during the outage' }) });
      const undrain = await server.fetch(drainUrl('p-2'), { method: 'DELETE' });
      const bulk = await server.fetch('/api/v1/services/pay/drain', { method: 'POST', body: JSON.stringify({ reason: 'zone work', zone: 'z1', force: true }) });
      for (const response of [drain, undrain, bulk]) {
        expect(response.status).toBe(503);
        const { error } = (await response.json()) as ErrorBody;
        expect(error.code).toBe('registry_unavailable');
        expect(error.message).toMatch(/etcd has been unreachable since .*nothing was changed/);
      }
    } finally {
      await etcd.local.restart();
    }
    await eventually(async () => ((await ready()) === 200 ? true : undefined), 30_000, 'ready again');
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual(['/switchyard/drain/pay/p-2']);
    expect((await server.fetch(drainUrl('p-2'), { method: 'DELETE' })).status).toBe(200);
  });
});

describe('a drain that etcd fails mid-request, before the registry has noticed', () => {
  let etcd: TestEtcd;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('is a 503 registry_unavailable that says the change may not have been written', async () => {
    const store = createStore({ coalesceMs: 0 });
    const client = createEtcdClient({ endpoints: etcd.endpoints });
    try {
      store.upsertKey({ etcdKey: '/services/pay/p-1', lease: undefined, registrations: [{ service: 'pay', id: 'p-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
      store.setRegistryStatus({ state: 'synced' });
      const drains = createDrainService({ client, store, controlPrefix: '/switchyard/', record: () => undefined, settleMs: 0 });
      await etcd.local.stop();

      const drained = await drains.drain('pay', 'p-1', { reason: 'r', force: true }, 'alice');
      expect(drained).toMatchObject({ ok: false, status: 503, code: 'registry_unavailable' });
      expect(drained.ok ? '' : drained.message).toMatch(/^etcd did not complete the request: .*may not have been written/);
      const undrained = await drains.undrain('pay', 'p-1', 'alice');
      expect(undrained).toMatchObject({ ok: false, status: 503, code: 'registry_unavailable' });
    } finally {
      client.close();
      store.close();
      await etcd.local.restart();
    }
  });
});
