import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathSegment } from '@/lib/model/path-segment';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { refusedPort } from '../support/ports';
import { eventually, startServer, type TestServer } from '../support/server';

/** A name the registry lists (etcd keys are bytes): what the console shows, an operator must be able to act on. */
const SERVICE = 'nl\nline';
let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.put(`/services/${SERVICE}/i1`, JSON.stringify({ address: `127.0.0.1:${await refusedPort()}`, health: { http: '/healthz' } }));
  server = await startServer({
    etcdEndpoints: etcd.endpoints,
    env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_ALERT_EVALUATION_MS: '250', SWITCHYARD_ALERT_RULES: JSON.stringify({ defaults: { criticalForSeconds: 1 } }) },
  });
});

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

const post = (path: string, body: unknown) => server.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a service whose name holds a control character', () => {
  it('alerts, and can be acknowledged, silenced and drained like any other', async () => {
    await eventually(async () => {
      const { alerts } = (await (await server.fetch('/api/v1/alerts')).json()) as { alerts: { state: string; labels: Record<string, string> }[] };
      return alerts.some((alert) => alert.labels.service === SERVICE && alert.labels.alertname === 'ServiceCritical' && alert.state === 'firing') ? true : undefined;
    }, 30_000, 'ServiceCritical firing for the service');

    const ack = await post('/api/v1/alerts/acks', { alertname: 'ServiceCritical', service: SERVICE, reason: 'on it' });
    expect(ack.status, await ack.clone().text()).toBe(201);
    const silence = await post('/api/v1/alerts/silences', { service: SERVICE, reason: 'renaming it', durationSeconds: 600 });
    expect(silence.status, await silence.clone().text()).toBe(201);
    const drain = await post(`/api/v1/services/${pathSegment(SERVICE)}/instances/i1/drain`, { reason: 'decommission', force: true });
    expect(drain.status, await drain.clone().text()).toBe(200);
    expect(await drain.json()).toMatchObject({ service: SERVICE, id: 'i1', drain: { reason: 'decommission' } });

    // History keeps the name as data: the drain row names it exactly.
    const query = new URLSearchParams({ service: SERVICE, kind: 'instance.drained' });
    await eventually(async () => {
      const { events } = (await (await server.fetch(`/api/v1/events?${query}`)).json()) as { events: { service?: string }[] };
      return events.some((event) => event.service === SERVICE) ? true : undefined;
    }, 10_000, 'the drain in history');
    const undrain = await server.fetch(`/api/v1/services/${pathSegment(SERVICE)}/instances/i1/drain`, { method: 'DELETE' });
    expect(undrain.status).toBe(200);
  });
});
