import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import type { IncidentList } from '@/lib/model/incidents';
import type { Service, Status } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { openHistory } from '@/lib/server/history/store';
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

const service = async (from: TestServer, name = 'crashloop'): Promise<Service> => (await (await from.fetch(`/api/v1/services/${name}`)).json()) as Service;
const reaches = (from: TestServer, status: Status, name = 'crashloop'): Promise<Service> =>
  eventually(async () => {
    const found = await service(from, name);
    return found.instances?.[0]?.status === status ? found : undefined;
  }, 20_000, `${name}-1 ${status}`);
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

  it('weighs the first verdict of an instance with no row in the last 10 min against its rows before, as History does: critical by its failed probes 20 min before the start, its registration open, then 200, 503, 200 reads 3 changes on the page and in History', async () => {
    await server?.stop();
    server = undefined;
    const quietDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-flap-quiet-'));
    const quietTarget = await startHealthTarget();
    try {
      // The last run: quiet-1 registered and made critical by its failed probes ...
      quietTarget.setStatus(503);
      await etcd.put('/services/quiet/quiet-1', JSON.stringify({ address: quietTarget.address, health: { http: '/healthz' } }));
      const last = await startServer({ etcdEndpoints: etcd.endpoints, dataDir: quietDir, env });
      server = last;
      await reaches(last, 'critical', 'quiet');
      expect(await last.stop()).toBe(0);
      server = undefined;
      // ... 20 min before this start: its rows moved back (its registration stays open, so this start writes none), nothing since.
      const recorded = await openHistory({ file: path.join(quietDir, 'history.sqlite'), flushMs: 5 });
      const ago = 20 * 60_000;
      await recorded.db.updateTable('events').set((eb) => ({ at_ms: eb('at_ms', '-', ago), first_failed_ms: eb('first_failed_ms', '-', ago) })).where('instance', '=', 'quiet-1').execute();
      const rows = (await recorded.query({ limit: 100 })).events.filter((row) => row.instance === 'quiet-1');
      await recorded.close();
      expect(rows.map((row) => `${row.kind} ${row.to ?? ''}`)).toEqual(['health.changed critical', 'instance.registered ']);
      // Failed probes made it critical (no calls to wait for after the restart).
      expect(rows[0]?.firstFailedAt).toBeDefined();
      // It passes from the restart on: History counts the first pass as a recovery, a change; it was no change when only the rows of the last 10 min were read.
      quietTarget.setStatus(200);
      const started = await startServer({ etcdEndpoints: etcd.endpoints, dataDir: quietDir, env });
      server = started;
      await reaches(started, 'passing', 'quiet');
      quietTarget.setStatus(503);
      await reaches(started, 'critical', 'quiet');
      quietTarget.setStatus(200);
      expect(changesOn(await reaches(started, 'passing', 'quiet'))).toBe(3);
      const incidents = await eventually(async () => {
        const list = (await (await started.fetch('/api/v1/incidents?service=quiet')).json()) as IncidentList;
        return list.incidents.some((incident) => incident.flapping) ? list.incidents : undefined;
      }, 10_000, 'a flapping incident');
      expect(incidents.map((incident) => incident.flapping)).toContainEqual({ instance: 'quiet-1', changes: 3 });
    } finally {
      await server?.stop();
      server = undefined;
      await etcd.delete('/services/quiet/quiet-1');
      await quietTarget.close();
      rmSync(quietDir, { recursive: true, force: true });
    }
  });
});
