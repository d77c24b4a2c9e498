import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '@/lib/model/alerts/acks';
import type { AlertView } from '@/lib/model/alerts/engine';
import type { EventPage } from '@/lib/model/events';
import type { Service } from '@/lib/model/instance';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import { freePort } from '@/lib/server/etcd/local';
import { startAlertmanager, startReceiver, type Receiver, type TestAlertmanager } from '../support/alertmanager';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

const SECRET = 'webhook-secret-for-tests';
/** web → orders → payments: callers fail when payments does; ledger stands alone. */
const CHAIN = { web: ['orders'], orders: ['payments'], payments: [], ledger: [] } as const;
type Name = keyof typeof CHAIN;
/** The crash loop's service: its alert lasts until its changes leave the 10 min window, past this file's run. */
const FLAPPY = 'flappy';

let etcd: TestEtcd;
let alertmanager: TestAlertmanager;
/** A second Alertmanager that repeats a group still firing every 2 s: what an acknowledgement must stop. */
let repeating: TestAlertmanager;
let webhook: Receiver;
let server: TestServer;
let deadAlertmanager: string;
const targets = new Map<Name, HealthTarget>();

beforeAll(async () => {
  etcd = await startEtcd();
  alertmanager = await startAlertmanager();
  repeating = await startAlertmanager({ repeatInterval: '2s' });
  webhook = await startReceiver();
  // Nothing listens here: an Alertmanager that is down.
  deadAlertmanager = `http://127.0.0.1:${await freePort()}`;
  for (const [name, dependsOn] of Object.entries(CHAIN) as [Name, readonly string[]][]) {
    const target = await startHealthTarget();
    targets.set(name, target);
    await etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: target.address, health: { http: '/healthz' }, dependsOn }));
  }
  server = await startServer({
    etcdEndpoints: etcd.endpoints,
    env: {
      SWITCHYARD_PROBE_INTERVAL_MS: '500',
      SWITCHYARD_ALERT_EVALUATION_MS: '250',
      // 5 s: a test fails a service's callers once it is critical, and they must be failing (three probes at 500 ms,
      // late on a busy machine) before it has been critical long enough to fire, so that it fires holding them.
      // ServiceFlapping only for FLAPPY: the other tests fail and recover the same services again and again.
      SWITCHYARD_ALERT_RULES: JSON.stringify({ defaults: { criticalForSeconds: 5, disabled: ['ServiceFlapping'] }, services: { [FLAPPY]: { disabled: [] } } }),
      SWITCHYARD_ALERTMANAGER_URL: `${alertmanager.url},${deadAlertmanager},${repeating.url}`,
      SWITCHYARD_ALERT_WEBHOOK_URL: webhook.url,
      SWITCHYARD_ALERT_WEBHOOK_SECRET: SECRET,
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await alertmanager?.stop();
  await repeating?.stop();
  await webhook?.close();
  for (const target of targets.values()) await target.close();
  await etcd?.stop();
});

const setStatus = (name: Name, status: number): void => targets.get(name)?.setStatus(status);
const alerts = async (): Promise<AlertsSnapshot> => (await (await server.fetch('/api/v1/alerts')).json()) as AlertsSnapshot;
const alertOf = (snapshot: AlertsSnapshot, service: string): AlertView | undefined => snapshot.alerts.find((alert) => alert.labels.service === service && alert.labels.alertname === 'ServiceCritical');
const serviceStatus = async (name: Name): Promise<string | undefined> => ((await (await server.fetch(`/api/v1/services/${name}`)).json()) as Service).status;

async function allHealthy(): Promise<void> {
  for (const name of Object.keys(CHAIN) as Name[]) setStatus(name, 200);
  await eventually(async () => {
    for (const name of Object.keys(CHAIN) as Name[]) if ((await serviceStatus(name)) !== 'passing') return undefined;
    const snapshot = await alerts();
    return snapshot.alerts.some((alert) => Object.hasOwn(CHAIN, alert.labels.service)) ? undefined : true;
  }, 30_000, 'every service passing and no alert');
}

/** Alertmanager's notifications from the `from`th on that mention `service`, as "firing"/"resolved" per alert. */
const notificationsFor = (service: string, from: number): string[] =>
  alertmanager.notifications().slice(from).flatMap((notification) => notification.alerts.filter((alert) => alert.labels.service === service).map((alert) => alert.status));
/** The same from the service's first `firing` on: a resolve of an earlier test's (or attempt's) alert can still arrive after `from`. */
const notificationsSinceFiring = (service: string, from: number): string[] => {
  const statuses = notificationsFor(service, from);
  const firing = statuses.indexOf('firing');
  return firing === -1 ? [] : statuses.slice(firing);
};

/** The signed webhook bodies: each signature checked against the exact bytes received. */
function verifiedWebhookBodies(): { alerts: { status: string; labels: Record<string, string>; suppressedCallers?: string[] }[] }[] {
  return webhook.posts.map((post) => {
    const timestamp = String(post.headers['x-switchyard-timestamp']);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${post.body}`).digest('hex')}`);
    const given = Buffer.from(String(post.headers['x-switchyard-signature']));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error(`bad webhook signature: ${given.toString()}`);
    return JSON.parse(post.body) as { alerts: { status: string; labels: Record<string, string>; suppressedCallers?: string[] }[] };
  });
}

describe('alerts to a real Alertmanager', () => {
  it('pages once for payments while its failing callers are held and shown as suppressed by it; recovery resolves what was sent; the webhook gets the same, signed', async () => {
    await allHealthy();
    const startedAt = new Date().toISOString();
    const webhookBefore = webhook.posts.length;
    const before = alertmanager.notifications().length;
    setStatus('payments', 503);
    await eventually(async () => ((await serviceStatus('payments')) === 'critical' ? true : undefined), 15_000, 'payments critical');
    setStatus('orders', 503);
    setStatus('web', 503);

    const held = await eventually(async () => {
      const snapshot = await alerts();
      const payments = alertOf(snapshot, 'payments');
      const callers = [alertOf(snapshot, 'orders'), alertOf(snapshot, 'web')];
      return payments?.state === 'firing' && callers.every((alert) => alert?.state === 'suppressed') ? snapshot : undefined;
    }, 30_000, 'payments firing, orders and web suppressed');
    expect(alertOf(held, 'payments')).toMatchObject({ labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', instance: 'payments-1' }, holds: ['orders', 'web'], notified: true });
    expect(alertOf(held, 'orders')).toMatchObject({ suppressedBy: 'payments', notified: false });
    expect(alertOf(held, 'web')).toMatchObject({ suppressedBy: 'payments', notified: false });

    await eventually(() => (notificationsFor('payments', before).includes('firing') ? true : undefined), 20_000, 'Alertmanager notifying payments');
    // Alertmanager holds exactly what it was sent of these three: payments alone, naming the callers it
    // holds (another test's alerts, still active or lingering there, are not this test's).
    const received = await eventually(async () => {
      const list = (await alertmanager.api('/api/v2/alerts')) as { labels: Record<string, string>; annotations: Record<string, string> }[];
      const ours = list.filter((alert) => ['payments', 'orders', 'web'].includes(alert.labels.service ?? ''));
      return ours.some((alert) => alert.labels.service === 'payments' && alert.annotations.suppressed_callers === 'orders, web') ? ours : undefined;
    }, 10_000, 'payments in Alertmanager with its held callers');
    expect(received.map((alert) => `${alert.labels.alertname} ${alert.labels.service}`)).toEqual(['ServiceCritical payments']);

    // History is committed in batches a moment after the state changes.
    const history = await eventually(async () => {
      const page = (await (await server.fetch(`/api/v1/events?kind=alert.suppressed,alert.fired&since=${startedAt}`)).json()) as EventPage;
      return page.events.filter((event) => event.kind === 'alert.suppressed').length >= 2 ? page : undefined;
    }, 5_000, 'the alert.suppressed rows');
    expect(history.events.filter((event) => event.kind === 'alert.suppressed').map((event) => event.service).sort()).toEqual(['orders', 'web']);
    expect(history.events.find((event) => event.kind === 'alert.fired' && event.service === 'payments')?.detail).toContain('holding the alerts of orders, web');

    await allHealthy();
    await eventually(() => (notificationsSinceFiring('payments', before).includes('resolved') ? true : undefined), 20_000, 'Alertmanager resolving payments');
    const after = await alerts();
    expect(after.resolved.filter((alert) => Date.parse(alert.activeSince) >= Date.parse(startedAt)).map((alert) => `${alert.labels.service} ${alert.notified}`).sort()).toEqual(['orders false', 'payments true', 'web false']);
    // One page for the outage and one resolve, nothing for the callers.
    expect(notificationsSinceFiring('payments', before)).toEqual(['firing', 'resolved']);
    expect([...notificationsFor('orders', before), ...notificationsFor('web', before)]).toEqual([]);

    const sent = await eventually(() => {
      const ours = verifiedWebhookBodies()
        .slice(webhookBefore)
        .flatMap((body) => body.alerts)
        .filter((alert) => ['payments', 'orders', 'web'].includes(alert.labels.service ?? ''));
      return ours.some((alert) => alert.status === 'resolved') ? ours : undefined;
    }, 20_000, 'webhook fired and resolved');
    expect(sent.map((alert) => `${alert.status} ${alert.labels.service}`)).toEqual(['firing payments', 'resolved payments']);
    expect(sent[0]?.suppressedCallers).toEqual(['orders', 'web']);
  });

  it('gives a caller failing on its own, while its dependency is healthy, its own alert', async () => {
    await allHealthy();
    const before = alertmanager.notifications().length;
    setStatus('orders', 503);
    const own = await eventually(async () => {
      const alert = alertOf(await alerts(), 'orders');
      return alert?.state === 'firing' ? alert : undefined;
    }, 30_000, 'orders firing');
    expect(own.suppressedBy).toBeUndefined();
    await eventually(() => (notificationsFor('orders', before).includes('firing') ? true : undefined), 20_000, 'Alertmanager notifying orders');
    await allHealthy();
    await eventually(() => (notificationsFor('orders', before).includes('resolved') ? true : undefined), 20_000, 'Alertmanager resolving orders');
  });

  it('keeps retrying an Alertmanager that is down without harm to the others, and shows the failure', async () => {
    await allHealthy();
    const before = alertmanager.notifications().length;
    setStatus('payments', 503);
    const failing = await eventually(async () => {
      const snapshot = await alerts();
      const dead = snapshot.delivery.targets.find((target) => target.url.startsWith(deadAlertmanager));
      return dead && dead.failures >= 2 ? { snapshot, dead } : undefined;
    }, 30_000, 'the dead Alertmanager retried');
    expect(failing.dead).toMatchObject({ channel: 'alertmanager', ok: false });
    expect(failing.dead.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    expect(failing.snapshot.delivery.targets.find((target) => target.url.startsWith(alertmanager.url))?.ok).toBe(true);
    expect(failing.snapshot.delivery.failures[0]?.url).toMatch(deadAlertmanager);
    const metrics = await (await server.fetch('/metrics')).text();
    const failed = Number(/switchyard_alert_notifications_total\{channel="alertmanager",outcome="failed"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(failed).toBeGreaterThanOrEqual(2);
    await eventually(async () => {
      const rows = (await (await server.fetch('/api/v1/events?kind=alert.delivery_failed')).json()) as EventPage;
      return rows.events.some((event) => event.detail.includes(deadAlertmanager)) ? true : undefined;
    }, 10_000, 'the alert.delivery_failed row');
    // The server is still serving and the healthy Alertmanager got the page.
    await eventually(() => (notificationsFor('payments', before).includes('firing') ? true : undefined), 20_000, 'payments page delivered');
    await allHealthy();
  });

  it('pages for a crash loop whose failures never last criticalForSeconds: ServiceFlapping, critical for a single-instance service, reaches Alertmanager', async () => {
    const target = await startHealthTarget();
    try {
      await etcd.put(`/services/${FLAPPY}/${FLAPPY}-1`, JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
      const statusOf = async (): Promise<string | undefined> => ((await (await server.fetch(`/api/v1/services/${FLAPPY}`)).json()) as Service).status;
      await eventually(async () => ((await statusOf()) === 'passing' ? true : undefined), 15_000, `${FLAPPY} passing`);
      // Three failures, each ended as soon as it is seen: 5 changes into or out of critical (the rule's default).
      for (const [status, seen] of [[503, 'critical'], [200, 'passing'], [503, 'critical'], [200, 'passing'], [503, 'critical']] as const) {
        target.setStatus(status);
        await eventually(async () => ((await statusOf()) === seen ? true : undefined), 15_000, `${FLAPPY} ${seen}`);
      }
      // From the file's first notification: a retried attempt finds its first attempt's alert still firing, already sent.
      const sent = await eventually(
        () => alertmanager.notifications().flatMap((notification) => notification.alerts).find((alert) => alert.labels.service === FLAPPY && alert.labels.alertname === 'ServiceFlapping'),
        20_000,
        'Alertmanager notifying ServiceFlapping',
      );
      target.setStatus(200);
      expect(sent).toMatchObject({ status: 'firing', labels: { severity: 'critical', cause: 'flapping', instance: `${FLAPPY}-1` } });
      expect(sent.annotations.description).toMatch(new RegExp(`^${FLAPPY}-1: 5 changes into and out of critical in \\d+ (s|min)( \\d+ s)?, critical now$`));
    } finally {
      await target.close();
    }
  });

  it('sends one InstancesLost per service when 500 instances are lost at once, not one per instance', async () => {
    const SERVICES = 5;
    const PER_SERVICE = 100;
    const fleetTarget = await startHealthTarget();
    const before = alertmanager.notifications().length;
    const webhookBefore = webhook.posts.length;
    const lease = etcd.client.lease(5);
    try {
      // A fleet of its own per attempt: a retry's would still hold the first attempt's 500 lost instances and their notifications.
      const fleetName = perAttempt('fleet');
      const names = Array.from({ length: SERVICES }, (_, index) => `${fleetName}-${index + 1}`);
      for (const name of names) {
        for (let index = 1; index <= PER_SERVICE; index += 1) {
          await lease.put(`/services/${name}/${name}-${index}`).value(JSON.stringify({ address: fleetTarget.address, health: { http: '/healthz' } }));
        }
      }
      const fleet = async (): Promise<Service[]> => ((await (await server.fetch('/api/v1/services')).json()) as { services: Service[] }).services.filter((service) => names.includes(service.name));
      const every = (status: string) => async () => {
        const services = await fleet();
        return services.length === SERVICES && services.every((service) => service.instances.length === PER_SERVICE && service.instances.every((instance) => instance.status === status)) ? true : undefined;
      };
      await eventually(every('passing'), 30_000, '500 instances passing');
      // They fail, then their lease expires: 500 lost at once.
      fleetTarget.setStatus(503);
      await eventually(every('critical'), 30_000, '500 instances critical');
      lease.release();
      const fired = await eventually(async () => {
        const firing = (await alerts()).alerts.filter((alert) => alert.labels.alertname === 'InstancesLost' && alert.state === 'firing' && names.includes(alert.labels.service ?? ''));
        return firing.length === SERVICES ? firing : undefined;
      }, 30_000, 'InstancesLost firing for every fleet service');
      expect(fired.map((alert) => alert.summary).sort()).toEqual(names.map((name) => `${name}: ${PER_SERVICE} of ${PER_SERVICE} instances lost`));
      expect(fired.every((alert) => alert.labels.instance === undefined)).toBe(true);
      await eventually(() => (names.every((name) => notificationsFor(name, before).includes('firing')) ? true : undefined), 20_000, 'Alertmanager notifying every fleet service');
      // Per service: its critical status and its loss, each notified once: 10 alerts for 500 instances.
      const perService = names.map((name) => alertmanager.notifications().slice(before).filter((notification) => notification.alerts.some((alert) => alert.labels.service === name)).length);
      expect(perService.every((count) => count <= 2)).toBe(true);
      const held = (await alertmanager.api('/api/v2/alerts')) as { labels: Record<string, string> }[];
      expect(held.filter((alert) => names.includes(alert.labels.service ?? '')).length).toBeLessThanOrEqual(2 * SERVICES);
      const webhookAlerts = verifiedWebhookBodies().slice(webhookBefore).flatMap((body) => body.alerts).filter((alert) => names.includes(alert.labels.service ?? ''));
      expect(webhookAlerts.length).toBeLessThanOrEqual(2 * SERVICES);
    } finally {
      await lease.revoke().catch(() => undefined);
      await fleetTarget.close();
    }
  });

  it('InstancesLost gives way to a critical alert in Alertmanager once every instance is lost, which stays critical when one is back and passing while the other stays lost', async () => {
    const name = perAttempt('twin');
    const instanceTargets = [await startHealthTarget(), await startHealthTarget()];
    const leases = [etcd.client.lease(3), etcd.client.lease(3)];
    const register = (index: number, lease = leases[index]) => lease?.put(`/services/${name}/${name}-${index + 1}`).value(JSON.stringify({ address: instanceTargets[index]?.address, health: { http: '/healthz' } }));
    const service = async (): Promise<Service> => (await (await server.fetch(`/api/v1/services/${name}`)).json()) as Service;
    /** What Alertmanager holds of the service's InstancesLost now: the severity of each, as it says them. */
    const held = async (): Promise<string> => {
      const active = (await alertmanager.api('/api/v2/alerts')) as { labels: Record<string, string> }[];
      return active.filter((alert) => alert.labels.service === name && alert.labels.alertname === 'InstancesLost').map((alert) => alert.labels.severity).sort().join(' ');
    };
    const holds = async (severity: string): Promise<void> => void (await eventually(async () => ((await held()) === severity ? true : undefined), 30_000, `Alertmanager holding InstancesLost ${severity} for ${name}`));
    /** Its probes fail, then its lease expires: lost. */
    const lose = async (index: number): Promise<void> => {
      instanceTargets[index]?.setStatus(503);
      await eventually(async () => ((await service()).instances.find((instance) => instance.id === `${name}-${index + 1}`)?.status === 'critical' ? true : undefined), 15_000, `${name}-${index + 1} critical`);
      leases[index]?.release();
    };
    const back = etcd.client.lease(30);
    try {
      await register(0);
      await register(1);
      await eventually(async () => ((await service()).status === 'passing' ? true : undefined), 15_000, `${name} passing`);
      await lose(0);
      await holds('warning');
      await lose(1);
      // The warning resolved (Alertmanager no longer holds it), a critical alert fired in its place.
      await holds('critical');
      instanceTargets[1]?.setStatus(200);
      await register(1, back);
      // Back and passing, the other still lost: the alert says so, and stays the critical one (it only escalates).
      const ofName = (alert: { labels: { service: string; alertname: string } }): boolean => alert.labels.service === name && alert.labels.alertname === 'InstancesLost';
      const summaries = async (): Promise<string[]> => (await alerts()).alerts.filter(ofName).map((alert) => `${alert.labels.severity} ${alert.state}: ${alert.summary}`);
      await eventually(async () => ((await summaries()).some((said) => said.endsWith('1 of 2 instances lost')) ? true : undefined), 30_000, `${name} 1 of 2 instances lost`);
      expect(await summaries()).toEqual([`critical firing: ${name}: 1 of 2 instances lost`]);
      await holds('critical');
      expect((await alerts()).resolved.filter(ofName).map((alert) => alert.labels.severity)).toEqual(['warning']);
    } finally {
      await back.revoke().catch(() => undefined);
      for (const lease of leases) await lease.revoke().catch(() => undefined);
      for (const target of instanceTargets) await target.close();
    }
  });

  it('holds a silenced service’s alert from Alertmanager (operators only, audited) and sends it once the silence is lifted', async () => {
    await allHealthy();
    const before = alertmanager.notifications().length;
    // History read from this attempt's start, and a reason of its own: a retry's history also holds
    // the first attempt's rows for web.
    const newestBefore = Math.max(0, ...((await (await server.fetch('/api/v1/events?service=web&limit=500')).json()) as EventPage).events.map((event) => event.id));
    const reason = perAttempt('deploying web');
    const viewer = await server.createToken({ name: 'alerts-viewer', role: 'viewer' });
    const body = JSON.stringify({ service: 'web', reason, durationSeconds: 600 });
    const post = (token: string) => server.fetch('/api/v1/alerts/silences', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect((await post(viewer)).status).toBe(403);
    const created = await post(server.adminToken);
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; by: string };
    expect(silence.by).toBe('token:test-admin');

    setStatus('web', 503);
    await eventually(async () => (alertOf(await alerts(), 'web')?.state === 'silenced' ? true : undefined), 30_000, 'web silenced');
    const audit = await eventually(
      async () => ((await (await server.fetch('/api/v1/events?kind=alert.silenced&service=web')).json()) as EventPage).events.find((event) => event.detail.includes(reason)),
      5_000,
      'the alert.silenced row',
    );
    expect(audit).toMatchObject({ actor: 'token:test-admin' });

    expect((await server.fetch(`/api/v1/alerts/silences/${silence.id}`, { method: 'DELETE' })).status).toBe(200);
    await eventually(() => (notificationsFor('web', before).includes('firing') ? true : undefined), 20_000, 'web sent once the silence is lifted');
    // Nothing reached Alertmanager for web while it was silenced: its one page came after the lift.
    // (History commits in batches; under load a commit can lag the notification.)
    const lifted = await eventually(async () => {
      const rows = ((await (await server.fetch('/api/v1/events?kind=alert.silence_ended,alert.fired&service=web')).json()) as EventPage).events.filter((event) => event.id > newestBefore);
      return rows.some((event) => event.kind === 'alert.fired') ? rows : undefined;
    }, 10_000, 'the alert.fired row for web');
    expect(lifted.map((event) => event.kind).slice(0, 2)).toEqual(['alert.fired', 'alert.silence_ended']);
    await allHealthy();
  });
});

/** An Alertmanager silence, the fields the tests read (API v2 `gettableSilence`). */
interface AlertmanagerSilence {
  id: string;
  status: { state: string };
  comment: string;
  createdBy: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
}

describe('acknowledging an alert', () => {
  const acknowledge = (service: Name, token: string) =>
    server.fetch('/api/v1/alerts/acks', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ alertname: 'ServiceCritical', service, reason: `on ${service}, failing over` }) });
  const withdraw = (id: string, token: string) => server.fetch(`/api/v1/alerts/acks/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  /** The silence an Alertmanager holds for this acknowledgement (its id, then the install's, close the comment). */
  const silenceFor = async (am: TestAlertmanager, ackId: string): Promise<AlertmanagerSilence | undefined> => ((await am.api('/api/v2/silences')) as AlertmanagerSilence[]).find((silence) => silence.comment.includes(`(ack ${ackId}, switchyard `));
  const silenceIn = (am: TestAlertmanager, ackId: string, state: string) => eventually(async () => {
    const silence = await silenceFor(am, ackId);
    return silence?.status.state === state ? silence : undefined;
  }, 15_000, `the acknowledgement's silence ${state}`);
  const firing = (service: Name) => eventually(async () => {
    const alert = alertOf(await alerts(), service);
    return alert?.state === 'firing' ? alert : undefined;
  }, 30_000, `${service} firing`);
  /** Firing notifications the repeating Alertmanager sent for a service from the `from`th on. */
  const repeatsFor = (service: string, from: number): number => repeating.notifications().slice(from).filter((notification) => notification.alerts.some((alert) => alert.labels.service === service && alert.status === 'firing')).length;

  it('silences it in Alertmanager on its labels (operators only, audited): no more repeats, the alert stays there, and on recovery the resolve goes out and the silence is expired', async () => {
    await allHealthy();
    const before = alertmanager.notifications().length;
    const repeatsBefore = repeating.notifications().length;
    const webhookBefore = webhook.posts.length;
    setStatus('payments', 503);
    setStatus('ledger', 503);
    await firing('payments');
    await firing('ledger');
    // Unacknowledged, this Alertmanager repeats payments every 2 s.
    await eventually(() => (repeatsFor('payments', repeatsBefore) >= 2 ? true : undefined), 30_000, 'payments repeated by Alertmanager');

    const viewer = await server.createToken({ name: 'ack-viewer', role: 'viewer' });
    expect((await acknowledge('payments', viewer)).status).toBe(403);
    const created = await acknowledge('payments', server.adminToken);
    expect(created.status).toBe(201);
    const ack = (await created.json()) as Ack;
    expect(ack).toMatchObject({ alertname: 'ServiceCritical', service: 'payments', by: 'token:test-admin', reason: 'on payments, failing over' });
    expect((await acknowledge('payments', server.adminToken)).status).toBe(409);

    for (const am of [alertmanager, repeating]) {
      const silence = await silenceIn(am, ack.id, 'active');
      expect(silence).toMatchObject({ createdBy: 'token:test-admin', comment: expect.stringMatching(new RegExp(`^Acknowledged in Switchyard: on payments, failing over \\(ack ${ack.id}, switchyard [0-9a-f-]{36}\\)$`)) });
      expect(silence.matchers.map((matcher) => `${matcher.name}=${matcher.value} ${matcher.isRegex} ${matcher.isEqual ?? true}`).sort()).toEqual(['alertname=ServiceCritical false true', 'instance=payments-1 false true', 'service=payments false true']);
    }
    // Switchyard keeps sending the alert: Alertmanager still has it (no false resolve), muted by the silence.
    await eventually(async () => {
      const list = (await repeating.api('/api/v2/alerts')) as { labels: Record<string, string>; status: { state: string; silencedBy: string[] } }[];
      const payments = list.find((alert) => alert.labels.service === 'payments' && alert.labels.alertname === 'ServiceCritical');
      return payments?.status.state === 'suppressed' && payments.status.silencedBy.length === 1 ? true : undefined;
    }, 15_000, 'payments held in Alertmanager, silenced');
    // While ledger (not acknowledged) is repeated three more times, payments is not repeated at all.
    const ledgerFrom = repeatsFor('ledger', repeatsBefore) + 1;
    await eventually(() => (repeatsFor('ledger', repeatsBefore) >= ledgerFrom ? true : undefined), 20_000, 'ledger repeated');
    const paymentsRepeats = repeatsFor('payments', repeatsBefore);
    await eventually(() => (repeatsFor('ledger', repeatsBefore) >= ledgerFrom + 3 ? true : undefined), 30_000, 'ledger repeated three more times');
    expect(repeatsFor('payments', repeatsBefore)).toBe(paymentsRepeats);

    const shown = alertOf(await alerts(), 'payments');
    expect(shown).toMatchObject({ state: 'firing', acknowledged: { id: ack.id, by: 'token:test-admin', reason: 'on payments, failing over' } });
    const audit = await eventually(async () => ((await (await server.fetch('/api/v1/events?kind=alert.acknowledged&service=payments')).json()) as EventPage).events[0], 5_000, 'the alert.acknowledged row');
    expect(audit).toMatchObject({ actor: 'token:test-admin', instance: 'payments-1' });
    expect(audit.detail).toContain('on payments, failing over');

    setStatus('payments', 200);
    await eventually(() => (notificationsSinceFiring('payments', before).includes('resolved') ? true : undefined), 20_000, 'Alertmanager resolving payments');
    expect(notificationsSinceFiring('payments', before)).toEqual(['firing', 'resolved']);
    await silenceIn(alertmanager, ack.id, 'expired');
    await silenceIn(repeating, ack.id, 'expired');
    await eventually(() => (verifiedWebhookBodies().slice(webhookBefore).some((body) => body.alerts.some((alert) => alert.status === 'resolved' && alert.labels.service === 'payments')) ? true : undefined), 20_000, 'the webhook resolving payments');
    const sentToWebhook = verifiedWebhookBodies().slice(webhookBefore).flatMap((body) => body.alerts).filter((alert) => alert.labels.service === 'payments');
    expect(sentToWebhook.map((alert) => alert.status)).toEqual(['firing', 'resolved']);
    // It covered that firing only: ended in the store when it resolved.
    const ended = await eventually(async () => ((await (await server.fetch('/api/v1/events?kind=alert.unacknowledged&service=payments')).json()) as EventPage).events[0], 10_000, 'the alert.unacknowledged row');
    expect(ended.detail).toBe('ServiceCritical acknowledgement by token:test-admin ended: the alert resolved');
    expect((await withdraw(ack.id, server.adminToken)).status).toBe(404);
    await allHealthy();
  });

  it('withdraws an acknowledgement (operators only, audited): its Alertmanager silence is expired and the alert fires as before', async () => {
    await allHealthy();
    setStatus('ledger', 503);
    await firing('ledger');
    const created = await acknowledge('ledger', server.adminToken);
    expect(created.status).toBe(201);
    const ack = (await created.json()) as Ack;
    await silenceIn(alertmanager, ack.id, 'active');

    const viewer = await server.createToken({ name: 'unack-viewer', role: 'viewer' });
    expect((await withdraw(ack.id, viewer)).status).toBe(403);
    expect((await withdraw(ack.id, server.adminToken)).status).toBe(200);
    await silenceIn(alertmanager, ack.id, 'expired');
    const after = alertOf(await alerts(), 'ledger');
    expect(after?.state).toBe('firing');
    expect(after?.acknowledged).toBeUndefined();
    const audit = await eventually(async () => ((await (await server.fetch('/api/v1/events?kind=alert.unacknowledged&service=ledger')).json()) as EventPage).events[0], 5_000, 'the alert.unacknowledged row');
    expect(audit).toMatchObject({ actor: 'token:test-admin' });
    expect(audit.detail).toContain('withdrawn');
    expect((await withdraw(ack.id, server.adminToken)).status).toBe(404);
    await allHealthy();
  });
});
