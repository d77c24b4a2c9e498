import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { followViews, openLiveSocket, type LiveClient } from '../support/live-views';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually, metric, startServer, type TestServer } from '../support/server';

/**
 * One replica's network to etcd turns into a black hole (packets dropped, no reset): it must say so
 * (readiness, the live views' registry state), stop leading before another replica starts, and
 * come back by itself.
 */
const TTL_SECONDS = 4;
let etcd: TestEtcd;
let postgres: TestPostgres;
let proxy: CuttableProxy;
let cutOff: TestServer;
let other: TestServer;
let socket: LiveClient | undefined;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  proxy = await startProxy(etcd.endpoint);
  const env = { DATABASE_URL: await postgres.createDatabase(), SWITCHYARD_REPLICA_TTL_SECONDS: String(TTL_SECONDS) };
  for (const id of ['a', 'b']) await etcd.put(`/services/shop/${id}`, JSON.stringify({ address: '127.0.0.1:9' }));
  // The one behind the proxy starts first: it leads.
  cutOff = await startServer({ etcdEndpoints: [proxy.endpoint], env });
  other = await startServer({ etcdEndpoints: etcd.endpoints, env });
}, 120_000);
afterAll(async () => {
  socket?.close();
  await cutOff?.stop();
  await other?.stop();
  await proxy?.close();
  await postgres?.stop();
  await etcd?.stop();
});

describe('a replica whose network to etcd drops every packet', () => {
  it('says so, hands leadership over without two leaders at once, and recovers by itself', async () => {
    await eventually(async () => ((await metric(cutOff, 'switchyard_replicas')) === 2 && (await metric(other, 'switchyard_replicas')) === 2 ? true : undefined), 20_000, 'two replicas');
    expect(await metric(cutOff, 'switchyard_replica_leader')).toBe(1);
    socket = openLiveSocket(cutOff, { reconnection: true });
    const views = followViews(socket, { summary: true });
    await eventually(() => (views.summary()?.registry.state === 'synced' ? true : undefined), 10_000, 'the viewer synced');

    // Leadership sampled from both sides, every 100 ms, from the stall until the other leads.
    const samples: { cutOff: number | undefined; other: number | undefined }[] = [];
    const stalledAt = Date.now();
    proxy.stall();
    await etcd.delete('/services/shop/b');
    await eventually(async () => {
      const sample = { cutOff: await metric(cutOff, 'switchyard_replica_leader'), other: await metric(other, 'switchyard_replica_leader') };
      samples.push(sample);
      return sample.other === 1 ? true : undefined;
    }, TTL_SECONDS * 1_000 + 10_000, 'the other replica leading');
    expect(samples.filter((sample) => sample.cutOff === 1 && sample.other === 1)).toEqual([]);
    // It says so: not ready (the balancer stops sending it requests), and its viewers see the registry unreachable.
    await eventually(async () => ((await cutOff.fetch('/readyz')).status === 503 ? true : undefined), 10_000, 'not ready');
    await eventually(() => (views.summary()?.registry.state === 'unreachable' ? true : undefined), 10_000, 'the viewer told');
    const noticedMs = Date.now() - stalledAt;
    expect(noticedMs).toBeLessThan(TTL_SECONDS * 1_000 + 5_000);

    proxy.restore();
    await eventually(async () => ((await cutOff.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready again');
    await eventually(() => (views.summary()?.registry.state === 'synced' && views.summary()?.services.get('shop')?.instances === 1 ? true : undefined), 10_000, 'the viewer equal to etcd again');
    await eventually(async () => ((await metric(cutOff, 'switchyard_replicas')) === 2 && (await metric(other, 'switchyard_replicas')) === 2 ? true : undefined), 20_000, 'two replicas again');
    expect(await metric(cutOff, 'switchyard_replica_leader')).toBe(0);
    expect(await metric(other, 'switchyard_replica_leader')).toBe(1);
  }, 120_000);
});
