import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import type { Service, Status } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, startServer, type TestServer } from '../support/server';

let etcd: TestEtcd;
let target: HealthTarget;
let server: TestServer | undefined;
let dataDir: string;
const env = { SWITCHYARD_PROBE_INTERVAL_MS: '500' };

beforeAll(async () => {
  [etcd, target] = await Promise.all([startEtcd(), startHealthTarget()]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-flap-restart-'));
  await etcd.put('/services/crashloop/crashloop-1', JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([etcd?.stop(), target?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const service = async (from: TestServer): Promise<Service> => (await (await from.fetch('/api/v1/services/crashloop')).json()) as Service;
const reaches = (from: TestServer, status: Status): Promise<Service> =>
  eventually(async () => {
    const found = await service(from);
    return found.instances?.[0]?.status === status ? found : undefined;
  }, 20_000, `crashloop-1 ${status}`);
const changesOn = (found: Service): number | undefined => flappingOf(found.instances[0]?.criticalChangesMs, Date.now())?.changes;

describe('flapping across a restart of the real server (real etcd, SQLite in its data dir)', () => {
  it('goes on counting from History: 4 changes, a restart, and the service page still says flapping; the fifth change fires ServiceFlapping', async () => {
    server = await startServer({ etcdEndpoints: etcd.endpoints, dataDir, env });
    await reaches(server, 'passing');
    for (const [answer, status] of [[503, 'critical'], [200, 'passing'], [503, 'critical'], [200, 'passing']] as const) {
      target.setStatus(answer);
      await reaches(server, status);
    }
    expect(changesOn(await service(server))).toBe(4);
    expect(await server.stop()).toBe(0);
    server = await startServer({ etcdEndpoints: etcd.endpoints, dataDir, env });
    // Its first verdict after the restart (passing, as it stopped) is no change; the four before it still count.
    const back = await reaches(server, 'passing');
    expect(changesOn(back)).toBe(4);
    target.setStatus(503);
    expect(changesOn(await reaches(server, 'critical'))).toBe(5);
    const firing = await eventually(async () => {
      const snapshot = (await (await server?.fetch('/api/v1/alerts'))?.json()) as AlertsSnapshot | undefined;
      return snapshot?.alerts.find((alert) => alert.labels.alertname === 'ServiceFlapping' && alert.labels.service === 'crashloop');
    }, 15_000, 'ServiceFlapping firing');
    expect(firing.description).toMatch(/^crashloop-1: 5 changes into and out of critical in /);
  });
});
