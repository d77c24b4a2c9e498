import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '@/lib/model/alerts/acks';
import type { AlertView } from '@/lib/model/alerts/engine';
import type { Silence } from '@/lib/model/alerts/silences';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import { MAX_ACTIVE_SILENCES } from '@/lib/server/alerts/silence-store';
import { startAlertmanager, type TestAlertmanager } from '../support/alertmanager';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, startServer, type TestServer } from '../support/server';

/** Two installs of Switchyard, each with its own etcd and SQLite, sharing one Alertmanager. */
const installEnv = (alertmanagerUrl: string): Record<string, string> => ({
  SWITCHYARD_PROBE_INTERVAL_MS: '500',
  SWITCHYARD_ALERT_EVALUATION_MS: '250',
  SWITCHYARD_ALERT_RESEND_SECONDS: '5',
  SWITCHYARD_ALERT_RULES: JSON.stringify({ defaults: { criticalForSeconds: 1 } }),
  SWITCHYARD_ALERTMANAGER_URL: alertmanagerUrl,
});

/** An Alertmanager silence, the fields read here (API v2 `gettableSilence`). */
interface AlertmanagerSilence {
  id: string;
  status: { state: string };
  comment: string;
}

let etcdA: TestEtcd;
let etcdB: TestEtcd;
let alertmanager: TestAlertmanager;
/** Answers 503: every service registered on it is critical. */
let failing: HealthTarget;
let installA: TestServer;
let installB: TestServer | undefined;

beforeAll(async () => {
  etcdA = await startEtcd();
  etcdB = await startEtcd();
  alertmanager = await startAlertmanager();
  failing = await startHealthTarget();
  failing.setStatus(503);
  installA = await startServer({ etcdEndpoints: etcdA.endpoints, env: installEnv(alertmanager.url) });
});

afterAll(async () => {
  await installB?.stop();
  await installA?.stop();
  await failing?.close();
  await alertmanager?.stop();
  await etcdB?.stop();
  await etcdA?.stop();
});

async function register(etcd: TestEtcd, service: string): Promise<void> {
  await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address: failing.address, health: { http: '/healthz' } }));
}
const alertOf = async (server: TestServer, service: string): Promise<AlertView | undefined> =>
  ((await (await server.fetch('/api/v1/alerts')).json()) as AlertsSnapshot).alerts.find((alert) => alert.labels.service === service);
const inState = (server: TestServer, service: string, state: string) =>
  eventually(async () => {
    const alert = await alertOf(server, service);
    return alert?.state === state ? alert : undefined;
  }, 30_000, `${service} ${state}`);
const post = (server: TestServer, path: string, body: unknown) => server.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const amSilences = async (): Promise<AlertmanagerSilence[]> => (await alertmanager.api('/api/v2/silences')) as AlertmanagerSilence[];
const silencesOfAck = async (ackId: string): Promise<AlertmanagerSilence[]> => (await amSilences()).filter((silence) => silence.comment.includes(`(ack ${ackId}`));
const inAlertmanager = async (service: string): Promise<boolean> => ((await alertmanager.api('/api/v2/alerts')) as { labels: Record<string, string> }[]).some((alert) => alert.labels.service === service);

describe('two installs sharing one Alertmanager', () => {
  it('leave each other’s acknowledgement silences alone', { timeout: 120_000 }, async () => {
    await register(etcdA, 'a-one');
    await register(etcdA, 'a-two');
    const acks: Ack[] = [];
    for (const service of ['a-one', 'a-two']) {
      await inState(installA, service, 'firing');
      const created = await post(installA, '/api/v1/alerts/acks', { alertname: 'ServiceCritical', service, reason: 'on it' });
      expect(created.status).toBe(201);
      acks.push((await created.json()) as Ack);
    }
    const silenceIds = await eventually(async () => {
      const silences = await Promise.all(acks.map((ack) => silencesOfAck(ack.id)));
      return silences.every((ofAck) => ofAck.length === 1 && ofAck[0]?.status.state === 'active') ? silences.map((ofAck) => ofAck[0]?.id) : undefined;
    }, 20_000, 'install A’s two acknowledgement silences active');

    // Install B: its own database (so its own acknowledgements), the same Alertmanager, one alert firing and acknowledged.
    await register(etcdB, 'b-one');
    installB = await startServer({ etcdEndpoints: etcdB.endpoints, env: installEnv(alertmanager.url) });
    await inState(installB, 'b-one', 'firing');
    const ackB = (await (await post(installB, '/api/v1/alerts/acks', { alertname: 'ServiceCritical', service: 'b-one', reason: 'on it too' })).json()) as Ack;
    await eventually(async () => ((await silencesOfAck(ackB.id)).some((silence) => silence.status.state === 'active') ? true : undefined), 20_000, 'install B’s acknowledgement silence active');
    expect(await inAlertmanager('b-one')).toBe(true);

    // Two more of B's re-sends (5 s apart), each syncing silences: A's are still the same, active, never expired.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const after = await Promise.all(acks.map((ack) => silencesOfAck(ack.id)));
    expect(after.map((ofAck) => ofAck.map((silence) => `${silence.id} ${silence.status.state}`))).toEqual(silenceIds.map((id) => [`${id} active`]));
    expect((await silencesOfAck(ackB.id)).map((silence) => silence.status.state)).toEqual(['active']);
  });
});

describe('silence rules at the cap', () => {
  it(`refuses the silence past ${MAX_ACTIVE_SILENCES} active ones (409, naming the cap) while the oldest keeps silencing its service`, { timeout: 180_000 }, async () => {
    const oldest = await post(installA, '/api/v1/alerts/silences', { service: 'late-svc', reason: 'a week of migration', durationSeconds: 7 * 86_400 });
    expect(oldest.status).toBe(201);
    const oldestSilence = (await oldest.json()) as Silence;
    // The rest, one hour each on a service apiece, a few at a time.
    const statuses: number[] = [];
    for (let start = 0; start < MAX_ACTIVE_SILENCES - 1; start += 20) {
      const batch = Array.from({ length: Math.min(20, MAX_ACTIVE_SILENCES - 1 - start) }, (_, i) => post(installA, '/api/v1/alerts/silences', { service: `svc2-${start + i}`, reason: 'bulk', durationSeconds: 3_600 }));
      statuses.push(...(await Promise.all(batch)).map((response) => response.status));
    }
    expect(statuses.filter((status) => status !== 201)).toEqual([]);

    const refused = await post(installA, '/api/v1/alerts/silences', { service: 'late-ctl', reason: 'one too many', durationSeconds: 600 });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: { code: 'too_many_silences', message: `${MAX_ACTIVE_SILENCES} silences are active, the most held at once: lift one or wait for one to end` } });

    await register(etcdA, 'late-svc');
    await inState(installA, 'late-svc', 'silenced');
    const snapshot = (await (await installA.fetch('/api/v1/alerts')).json()) as AlertsSnapshot;
    expect(snapshot.silences).toHaveLength(MAX_ACTIVE_SILENCES);
    expect(snapshot.silences.some((silence) => silence.id === oldestSilence.id)).toBe(true);
    // Past its rule's duration and two re-sends later, still never sent.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await alertOf(installA, 'late-svc'))?.state).toBe('silenced');
    expect(await inAlertmanager('late-svc')).toBe(false);

    // Lifting one makes room.
    expect((await installA.fetch(`/api/v1/alerts/silences/${snapshot.silences[0]?.id ?? ''}`, { method: 'DELETE' })).status).toBe(200);
    expect((await post(installA, '/api/v1/alerts/silences', { service: 'late-ctl', reason: 'now there is room', durationSeconds: 600 })).status).toBe(201);
  });
});
