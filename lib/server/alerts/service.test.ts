import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Instance } from '@/lib/model/instance';
import { AlertRulesSchema } from '@/lib/model/alerts/rules';
import type { Ack, AckRequest } from '@/lib/model/alerts/acks';
import type { Silence, SilenceRequest } from '@/lib/model/alerts/silences';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { summaryOfService } from '@/lib/model/service-summary';
import { toService } from '@/lib/model/state';
import { startReceiver } from '@/tests/support/alertmanager';
import { lostOrPassing } from '@/tests/support/lost-instance';
import { createManualClock } from '@/tests/support/manual-clock';
import { createAlerting } from './service';
import type { AckStore } from './ack-store';
import type { SilenceStore } from './silence-store';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const failing: Instance = { id: 'web-1', service: 'web', key: '/services/web/web-1', address: '10.0.0.1:80', format: 'native', metadata: {}, status: 'critical', statusCause: 'HTTP 503', drain: null, passedAt: new Date(T0 - 60_000).toISOString() };

/** A store whose reads answer only when told, like a slow database. */
function slowStore() {
  const rows: Silence[] = [];
  const reads: (() => void)[] = [];
  const store: SilenceStore = {
    active: () => {
      const snapshot = [...rows];
      return new Promise<Silence[]>((resolve) => reads.push(() => resolve(snapshot)));
    },
    create: (request: SilenceRequest, by: string, nowMs: number) => {
      const silence: Silence = { id: `s-${rows.length + 1}`, service: request.service, reason: request.reason, by, createdAt: new Date(nowMs).toISOString(), until: new Date(nowMs + request.durationSeconds * 1_000).toISOString() };
      rows.push(silence);
      return Promise.resolve({ ok: true, silence });
    },
    find: (id: string) => Promise.resolve(rows.find((silence) => silence.id === id)),
    end: () => Promise.resolve(undefined),
  };
  return { store, answerReads: () => reads.splice(0).forEach((answer) => answer()) };
}

/** Acknowledgements in memory, as the store keeps them: one active per alert; ended ones remembered with who ended them. */
function memoryAckStore() {
  const rows: (Ack & { endedBy?: string | null })[] = [];
  const store: AckStore = {
    active: () => Promise.resolve(rows.filter((row) => row.endedBy === undefined).reverse()),
    create: (request: AckRequest, by: string, nowMs: number) => {
      if (rows.some((row) => row.endedBy === undefined && row.alertname === request.alertname && row.service === request.service)) return Promise.resolve(undefined);
      const ack: Ack = { id: `a-${rows.length + 1}`, alertname: request.alertname, service: request.service, ...(request.severity !== undefined ? { severity: request.severity } : {}), ...(request.reason !== undefined ? { reason: request.reason } : {}), by, at: new Date(nowMs).toISOString() };
      rows.push({ ...ack });
      return Promise.resolve(ack);
    },
    find: (id: string) => Promise.resolve(rows.find((row) => row.id === id && row.endedBy === undefined)),
    end: (id: string, by: string | undefined) => {
      const row = rows.find((candidate) => candidate.id === id && candidate.endedBy === undefined);
      if (row) row.endedBy = by ?? null;
      return Promise.resolve(row);
    },
    owned: (ids: readonly string[]) => Promise.resolve(new Set(ids.filter((id) => rows.some((row) => row.id === id)))),
  };
  return { store, rows };
}

function alertingFor(options: {
  store: SilenceStore;
  acks?: AckStore;
  events: NewHistoryEvent[];
  now: () => number;
  delivers?: () => boolean;
  failingNow?: () => boolean;
  recoveredAt?: string;
  recordedAlerts?: (service: string) => Promise<readonly HistoryEvent[]>;
  /** The web service's instances, in place of its one failing or passing instance. */
  webInstances?: () => Instance[];
  /** Its timer's clock: each tick reads the shared stores again. */
  clock?: ReturnType<typeof createManualClock>;
  /** How long lost instances must stay lost before InstancesLost fires (the default rule's 0 s unless told). */
  lostForSeconds?: number;
  /** A second service, with one instance failing throughout. */
  alsoFailing?: string;
  /** Where the webhook posts (JSON, unsigned); none unless told. */
  webhookUrl?: string;
  /** An Alertmanager (a receiver recording its posts); none unless told. */
  alertmanagerUrl?: string;
}) {
  const failingNow = options.failingNow ?? (() => true);
  const recovered = options.recoveredAt !== undefined ? { recoveredAt: options.recoveredAt } : {};
  const instances = options.webInstances ?? (() => [failingNow() ? failing : { ...failing, status: 'passing' as const, statusCause: 'probe OK', ...recovered }]);
  const web = () => toService('web', new Map(instances().map((instance) => [instance.key, instance])));
  const { alsoFailing } = options;
  const other = alsoFailing !== undefined ? { ...failing, id: `${alsoFailing}-1`, service: alsoFailing, key: `/services/${alsoFailing}/${alsoFailing}-1` } : undefined;
  const services = () => [web(), ...(other ? [toService(other.service, new Map([[other.key, other]]))] : [])];
  return createAlerting({
    fleet: {
      summarySnapshot: () => ({ services: services().map(summaryOfService) }),
      serviceSnapshot: (service) => ({ instances: services().find((candidate) => candidate.name === service)?.instances ?? [] }),
      registryStatus: () => ({ state: 'synced', since: new Date(T0).toISOString() }),
    },
    edges: () => [],
    rules: AlertRulesSchema.parse({ defaults: { criticalForSeconds: 1, ...(options.lostForSeconds !== undefined ? { lostForSeconds: options.lostForSeconds } : {}) } }),
    publicUrl: 'http://sy',
    alertmanagerUrls: options.alertmanagerUrl !== undefined ? [options.alertmanagerUrl] : [],
    webhook: options.webhookUrl !== undefined ? { url: options.webhookUrl, secret: undefined, format: 'json' } : undefined,
    evaluationMs: 1_000,
    resendMs: 60_000,
    timeoutMs: 1_000,
    queueSize: 10,
    record: (event) => options.events.push(event),
    silences: options.store,
    acks: options.acks ?? memoryAckStore().store,
    installId: () => Promise.resolve('00000000-0000-4000-8000-000000000001'),
    metrics: new Registry(),
    log: () => undefined,
    clock: options.clock ?? createManualClock(0),
    now: options.now,
    ...(options.delivers ? { delivers: options.delivers } : {}),
    ...(options.recordedAlerts ? { recordedAlerts: options.recordedAlerts } : {}),
  });
}

/** web fires at 2 s and resolves at 2.4 s (evaluated at 3 s) while another replica leads; history reads wait for `reads`. */
function firedAndResolvedWhileFollowing() {
  let nowMs = T0;
  let down = true;
  let leads = false;
  const events: NewHistoryEvent[] = [];
  const reads: (() => void)[] = [];
  const alerting = alertingFor({
    store: slowStore().store,
    events,
    now: () => nowMs,
    failingNow: () => down,
    recoveredAt: new Date(T0 + 2_400).toISOString(),
    delivers: () => leads,
    recordedAlerts: () => new Promise<readonly HistoryEvent[]>((resolve) => reads.push(() => resolve([]))),
  });
  alerting.evaluate();
  nowMs = T0 + 2_000;
  alerting.evaluate();
  down = false;
  nowMs = T0 + 3_000;
  alerting.evaluate();
  const setLeads = (leading: boolean): void => {
    leads = leading;
  };
  const evaluateAt = (atMs: number, leading: boolean): void => {
    setLeads(leading);
    nowMs = atMs;
    alerting.evaluate();
  };
  return { alerting, events, reads, evaluateAt, setLeads };
}

describe('alerting on replicas', () => {
  it('shows the same alerts on a replica that does not deliver, which records and sends nothing', () => {
    let nowMs = T0;
    const events: NewHistoryEvent[] = [];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => false });
    try {
      alerting.evaluate();
      nowMs = T0 + 2_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.service} ${alert.state}`)).toEqual(['web firing']);
      expect(events).toEqual([]);
    } finally {
      alerting.stop();
    }
  });
});

/**
 * Alerting on a replica where web fails and then recovers (at 2.4 s). It delivers from the start
 * unless `leading` is false; `recorded` is what history already holds, when the test says.
 */
function failingThenRecovering(options: { leading?: boolean; recorded?: HistoryEvent[] } = {}) {
  let nowMs = T0;
  let down = true;
  let leads = options.leading ?? true;
  const events: NewHistoryEvent[] = [];
  const { recorded } = options;
  const alerting = alertingFor({
    store: slowStore().store,
    events,
    now: () => nowMs,
    failingNow: () => down,
    recoveredAt: new Date(T0 + 2_400).toISOString(),
    delivers: () => leads,
    ...(recorded ? { recordedAlerts: () => Promise.resolve([...recorded].reverse()) } : {}),
  });
  return {
    alerting,
    events,
    /** Fires at 2 s and resolves at 3 s (recovered at 2.4 s). */
    fireThenResolve(): void {
      alerting.evaluate();
      nowMs = T0 + 2_000;
      alerting.evaluate();
      down = false;
      nowMs = T0 + 3_000;
      alerting.evaluate();
    },
    /** Leads from 4 s on. */
    async lead(): Promise<void> {
      leads = true;
      nowMs = T0 + 4_000;
      alerting.evaluate();
      await settle();
    },
  };
}

describe('taking over delivery', () => {
  it('records an alert that fired and resolved while nobody delivered, at its own times', async () => {
    const replica = failingThenRecovering({
      leading: false,
      recorded: [
        { id: 1, at: new Date(T0 - 600_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'ServiceCritical (critical): an earlier firing' },
        { id: 2, at: new Date(T0 - 500_000).toISOString(), kind: 'alert.resolved', service: 'web', detail: 'ServiceCritical (critical) resolved: an earlier firing' },
      ],
    });
    try {
      // Fires and resolves while another replica leads.
      replica.fireThenResolve();
      await replica.lead();
      expect(replica.events.map((event) => [event.kind, event.at])).toEqual([
        ['alert.fired', new Date(T0 + 2_000).toISOString()],
        ['alert.resolved', new Date(T0 + 2_400).toISOString()],
      ]);
    } finally {
      replica.alerting.stop();
    }
  });

  it('records nothing again when the previous leader recorded the firing and its resolve', async () => {
    const replica = failingThenRecovering({
      leading: false,
      recorded: [
        { id: 1, at: new Date(T0 + 2_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'ServiceCritical (critical): web is critical' },
        { id: 2, at: new Date(T0 + 2_400).toISOString(), kind: 'alert.resolved', service: 'web', detail: 'ServiceCritical (critical) resolved: web is critical' },
      ],
    });
    try {
      // Fires and resolves while another replica leads.
      replica.fireThenResolve();
      await replica.lead();
      expect(replica.events).toEqual([]);
    } finally {
      replica.alerting.stop();
    }
  });

  it('records nothing when it stops delivering while it reads history: the next leader catches up instead', async () => {
    let nowMs = T0;
    let down = true;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const reads: (() => void)[] = [];
    const alerting = alertingFor({
      store: slowStore().store,
      events,
      now: () => nowMs,
      failingNow: () => down,
      recoveredAt: new Date(T0 + 2_400).toISOString(),
      delivers: () => leads,
      recordedAlerts: () => new Promise<readonly HistoryEvent[]>((resolve) => reads.push(() => resolve([]))),
    });
    try {
      alerting.evaluate();
      nowMs = T0 + 2_000;
      alerting.evaluate();
      down = false;
      nowMs = T0 + 3_000;
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 4_000;
      alerting.evaluate();
      expect(reads).toHaveLength(1);
      leads = false;
      nowMs = T0 + 5_000;
      alerting.evaluate();
      reads.splice(0).forEach((answer) => answer());
      await settle();
      expect(events).toEqual([]);
    } finally {
      alerting.stop();
    }
  });
  it('records and sends nothing once stopped while it reads history: a read that answers after stop() is ignored', async () => {
    const { alerting, events, reads, evaluateAt } = firedAndResolvedWhileFollowing();
    evaluateAt(T0 + 4_000, true);
    expect(reads).toHaveLength(1);
    alerting.stop();
    reads.splice(0).forEach((answer) => answer());
    await settle();
    expect(events).toEqual([]);
  });

  it('catches up the keys a catch-up cut short by a leadership blip left, when this same replica leads again', async () => {
    const { alerting, events, reads, evaluateAt } = firedAndResolvedWhileFollowing();
    try {
      // Leads at 4 s (its history read pending), not at 5 s, again at 6 s.
      for (const [atMs, leading] of [[T0 + 4_000, true], [T0 + 5_000, false], [T0 + 6_000, true]] as const) evaluateAt(atMs, leading);
      for (let answered = 0; answered < 3; answered += 1) {
        reads.splice(0).forEach((answer) => answer());
        await settle();
      }
      expect(events.map((event) => [event.kind, event.at])).toEqual([
        ['alert.fired', new Date(T0 + 2_000).toISOString()],
        ['alert.resolved', new Date(T0 + 2_400).toISOString()],
      ]);
    } finally {
      alerting.stop();
    }
  });
  it('catches up those keys too when leadership was lost only while it read history, no evaluation seeing it', async () => {
    const { alerting, events, reads, evaluateAt, setLeads } = firedAndResolvedWhileFollowing();
    try {
      evaluateAt(T0 + 4_000, true);
      setLeads(false);
      reads.splice(0).forEach((answer) => answer());
      await settle();
      expect(events).toEqual([]);
      evaluateAt(T0 + 5_000, true);
      expect(reads).toHaveLength(1);
      reads.splice(0).forEach((answer) => answer());
      await settle();
      expect(events.map((event) => [event.kind, event.at])).toEqual([
        ['alert.fired', new Date(T0 + 2_000).toISOString()],
        ['alert.resolved', new Date(T0 + 2_400).toISOString()],
      ]);
    } finally {
      alerting.stop();
    }
  });
});

/**
 * Alerting on a replica that does not lead while web and api fire (at 2 s), with a webhook receiver
 * and history reads answered one at a time, in the order they are made.
 */
async function twoMissedFirings(clock?: ReturnType<typeof createManualClock>) {
  const receiver = await startReceiver();
  let nowMs = T0;
  let leads = false;
  const events: NewHistoryEvent[] = [];
  const reads: { service: string; resolve: (rows: readonly HistoryEvent[]) => void; reject: (error: Error) => void }[] = [];
  const alerting = alertingFor({
    store: slowStore().store,
    events,
    now: () => nowMs,
    delivers: () => leads,
    alsoFailing: 'api',
    webhookUrl: receiver.url,
    recordedAlerts: (service) => new Promise<readonly HistoryEvent[]>((resolve, reject) => reads.push({ service, resolve, reject })),
    ...(clock ? { clock } : {}),
  });
  alerting.evaluate();
  nowMs = T0 + 2_000;
  alerting.evaluate();
  return {
    alerting,
    events,
    reads,
    /** The services of the alerts every post so far carried, as `service status`. */
    posted: () => receiver.posts.flatMap((post) => WebhookPostSchema.parse(JSON.parse(post.body)).alerts.map((alert) => `${alert.labels.service} ${alert.status}`)),
    /** Leads (or not) from this evaluation on. */
    evaluateLeading(leading: boolean, atMs: number): void {
      leads = leading;
      nowMs = atMs;
      alerting.evaluate();
    },
    async stop(): Promise<void> {
      alerting.stop();
      await receiver.close();
    },
  };
}

/** How long a post to the loopback receiver may take on a loaded machine. */
const POST_WAIT = { timeout: 5_000 };
const WebhookPostSchema = z.object({ alerts: z.array(z.object({ status: z.string(), labels: z.object({ service: z.string() }) })) });

describe('taking over delivery: the webhook is sent what the catch-up recorded, however it ends', () => {
  it.each([
    ['stopped delivering meanwhile', [false]],
    ['a later hand-over began meanwhile', [false, true]],
  ] as const)('sends the firing it recorded before a leadership blip during its next history read (%s)', async (_, blip) => {
    const replica = await twoMissedFirings();
    try {
      replica.evaluateLeading(true, T0 + 4_000);
      const first = replica.reads.shift();
      if (!first) throw new Error('the hand-over read no history');
      first.resolve([]);
      await vi.waitFor(() => expect(replica.reads).toHaveLength(1));
      expect(replica.events.map((event) => [event.kind, event.service])).toEqual([['alert.fired', first.service]]);
      blip.forEach((leading, index) => replica.evaluateLeading(leading, T0 + 5_000 + index * 1_000));
      replica.reads.shift()?.resolve([]);
      // Recorded as fired, so no later hand-over sends it: this post is its only page.
      await vi.waitFor(() => expect(replica.posted()).toContain(`${first.service} firing`), POST_WAIT);
    } finally {
      await replica.stop();
    }
  });

  it('sends the firing it recorded when its next history read fails', async () => {
    const replica = await twoMissedFirings();
    try {
      replica.evaluateLeading(true, T0 + 4_000);
      const first = replica.reads.shift();
      if (!first) throw new Error('the hand-over read no history');
      first.resolve([]);
      await vi.waitFor(() => expect(replica.reads).toHaveLength(1));
      replica.reads.shift()?.reject(new Error('history unavailable'));
      await vi.waitFor(() => expect(replica.posted()).toEqual([`${first.service} firing`]), POST_WAIT);
      expect(replica.events.map((event) => [event.kind, event.service])).toEqual([['alert.fired', first.service]]);
    } finally {
      await replica.stop();
    }
  });
});

describe('taking over delivery: a catch-up whose history read fails', () => {
  it('is tried again while this replica leads, after one evaluation and then twice as long each time, and sends what it finds', async () => {
    const clock = createManualClock(0);
    const replica = await twoMissedFirings(clock);
    const failRead = async (): Promise<void> => {
      await vi.waitFor(() => expect(replica.reads).toHaveLength(1));
      replica.reads.shift()?.reject(new Error('history unavailable'));
      await settle();
    };
    try {
      replica.evaluateLeading(true, T0 + 4_000);
      await failRead();
      clock.advance(999);
      expect(replica.reads).toHaveLength(0);
      clock.advance(1);
      await failRead();
      // Twice as long the second time.
      clock.advance(1_999);
      expect(replica.reads).toHaveLength(0);
      clock.advance(1);
      await vi.waitFor(() => expect(replica.reads).toHaveLength(1));
      for (let answered = 0; answered < 2; answered += 1) {
        await vi.waitFor(() => expect(replica.reads).toHaveLength(1));
        replica.reads.shift()?.resolve([]);
      }
      await vi.waitFor(() => expect(replica.posted().sort()).toEqual(['api firing', 'web firing']), POST_WAIT);
      expect(replica.events.map((event) => `${event.kind} ${event.service ?? '-'}`).sort()).toEqual(['alert.fired api', 'alert.fired web']);
    } finally {
      await replica.stop();
    }
  });

  it('gives up on the alert changes it saw over 10 min ago, as on those it missed', async () => {
    const clock = createManualClock(0);
    const replica = await twoMissedFirings(clock);
    try {
      replica.evaluateLeading(true, T0 + 4_000);
      replica.reads.shift()?.reject(new Error('history unavailable'));
      await settle();
      replica.evaluateLeading(true, T0 + 2_000 + 10 * 60_000 + 1);
      clock.advance(1_000);
      await settle();
      expect(replica.reads).toHaveLength(0);
    } finally {
      await replica.stop();
    }
  });

  it('is not tried again once this replica stops leading: the next hand-over takes the keys', async () => {
    const clock = createManualClock(0);
    const replica = await twoMissedFirings(clock);
    try {
      replica.evaluateLeading(true, T0 + 4_000);
      replica.reads.shift()?.reject(new Error('history unavailable'));
      await settle();
      replica.evaluateLeading(false, T0 + 4_500);
      clock.advance(10 * 60_000);
      expect(replica.reads).toHaveLength(0);
      expect(replica.events).toEqual([]);
    } finally {
      await replica.stop();
    }
  });
});

describe('taking over delivery after a ServiceFlapping warning gave way to a critical one', () => {
  it('records and sends the critical firing the previous leader did not, though it recorded the warning of the same name', async () => {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const flapped = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK', criticalChangesMs: [5, 4, 3, 2, 1].map((ago) => T0 - ago * 30_000) });
    let instances = [flapped('web-1'), { ...failing, id: 'web-2', key: '/services/web/web-2', status: 'passing' as const, statusCause: 'probe OK' }];
    const recorded: HistoryEvent[] = [{ id: 1, at: new Date(T0).toISOString(), kind: 'alert.fired', service: 'web', detail: 'ServiceFlapping (warning): web: web-1 is flapping — …' }];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => instances });
    try {
      alerting.evaluate();
      instances = [flapped('web-1'), flapped('web-2')];
      nowMs = T0 + 1_000;
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 2_000;
      alerting.evaluate();
      await settle();
      await settle();
      expect(events.map((event) => `${event.kind} ${event.detail.slice(0, 26)}`).sort()).toEqual(['alert.fired ServiceFlapping (critical)', 'alert.resolved ServiceFlapping (warning) ']);
    } finally {
      alerting.stop();
    }
  });
});

describe('taking over delivery of an InstancesLost that escalated before this replica started', () => {
  const standIn = (id: string): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(T0 - 120_000).toISOString(), cause: 'lease expired', passingBefore: 2 } });
  /** A replica that holds web's two instances lost (InstancesLost critical) and takes over delivery, the history holding `recorded`: what it records. */
  async function takeOver(recorded: HistoryEvent[]): Promise<NewHistoryEvent[]> {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => [standIn('web-1'), standIn('web-2')] });
    try {
      alerting.evaluate();
      expect(alerting.snapshot().alerts.find((alert) => alert.labels.alertname === 'InstancesLost')?.labels.severity).toBe('critical');
      leads = true;
      nowMs = T0 + 2_000;
      alerting.evaluate();
      await settle();
      await settle();
      return events.filter((event) => event.detail.startsWith('InstancesLost'));
    } finally {
      alerting.stop();
    }
  }
  const warningFired: HistoryEvent = { id: 1, at: new Date(T0 - 100_000).toISOString(), kind: 'alert.fired', service: 'web', instance: 'web-1', detail: 'InstancesLost (warning): web: 1 of 2 instances lost — web-1: lease expired' };

  it('records and sends the critical firing when the old leader recorded only the warning: severity is part of its identity, the critical never paged', async () => {
    expect((await takeOver([warningFired])).filter((event) => event.kind === 'alert.fired').map((event) => `${event.kind} ${event.detail}`)).toEqual(['alert.fired InstancesLost (critical): web: 2 of 2 instances lost — web-1, web-2: lease expired']);
  });

  it('closes the warning\u2019s alert.fired row the old leader left open, dated when the critical alert fired', async () => {
    const recorded = await takeOver([warningFired]);
    expect(recorded.map((event) => `${event.kind} ${event.instance ?? '-'} ${event.at} ${event.detail}`)).toEqual([
      // Dated when the critical alert fired (this replica's first evaluation, at T0), not at its start: it starts at web-1's loss, before the warning fired.
      `alert.resolved web-1 ${new Date(T0).toISOString()} InstancesLost (warning) resolved: gave way to the critical alert before this replica took over delivery (its resolve was not sent)`,
      expect.stringMatching(/^alert\.fired - .* InstancesLost \(critical\): web: 2 of 2 instances lost/),
    ]);
  });

  it('records no second firing when the old leader recorded the critical one too, though the warning\u2019s resolve is the newest row of the name', async () => {
    // One evaluation wrote both, at the same time; nothing orders them, and the newest row of InstancesLost says nothing of the critical alert.
    const criticalFired: HistoryEvent = { id: 2, at: new Date(T0 - 60_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 2 of 2 instances lost — web-1, web-2: lease expired' };
    const warningResolved: HistoryEvent = { id: 3, at: new Date(T0 - 60_000).toISOString(), kind: 'alert.resolved', service: 'web', detail: 'InstancesLost (warning) resolved: web: 1 of 2 instances lost' };
    expect(await takeOver([warningFired, criticalFired, warningResolved])).toEqual([]);
  });
});

describe('taking over delivery of an InstancesLost warning while the old leader held the critical one', () => {
  it('leaves the critical alert.fired row open and records no warning firing: the critical only escalates, and stands in the warning\u2019s place', async () => {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const lost = (id: string): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(T0 - 120_000).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing: Instance = { ...failing, id: 'web-3', key: '/services/web/web-3', status: 'passing', statusCause: 'probe OK' };
    // The old leader saw all three go (critical) and web-3 come back; this replica started after, and holds the warning.
    const recorded: HistoryEvent[] = [{ id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => [lost('web-1'), lost('web-2'), passing] });
    try {
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 5_000;
      alerting.evaluate();
      await settle();
      await settle();
      expect(events.filter((event) => event.detail.startsWith('InstancesLost'))).toEqual([]);
    } finally {
      alerting.stop();
    }
  });

  it('closes that critical alert.fired row when the warning held in its place resolves, dated at that resolve, and records no warning resolve: the service recovered, so the critical ended', async () => {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const lost = (id: string): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(T0 - 120_000).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK' });
    const recorded: HistoryEvent[] = [{ id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }];
    let instances = [lost('web-1'), lost('web-2'), passing('web-3')];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => instances });
    try {
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 5_000;
      alerting.evaluate();
      await settle();
      await settle();
      const recoveredAt = new Date(T0 + 8_000).toISOString();
      instances = ['web-1', 'web-2', 'web-3'].map((id) => ({ ...passing(id), recoveredAt }));
      nowMs = T0 + 10_000;
      alerting.evaluate();
      await settle();
      expect(events.filter((event) => event.kind === 'alert.resolved').map((event) => `${event.at} ${event.detail}`)).toEqual([
        `${recoveredAt} InstancesLost (critical) resolved: the service recovered (it fired at the previous leader; this replica held the warning in its place)`,
      ]);
    } finally {
      alerting.stop();
    }
  });

  it('writes no critical resolve nor a second critical firing when that warning gives way to a critical alert here (the same labels): the same alert carries on, and its resolve closes the row', async () => {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const lost = (id: string, atMs = T0 - 120_000): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(atMs).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK' });
    const recorded: HistoryEvent[] = [{ id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }];
    let instances = [lost('web-1'), lost('web-2'), passing('web-3')];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => instances });
    try {
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 5_000;
      alerting.evaluate();
      await settle();
      await settle();
      instances = [lost('web-1'), lost('web-2'), lost('web-3', T0 + 8_000)];
      for (const atMs of [T0 + 10_000, T0 + 20_000]) {
        nowMs = atMs;
        alerting.evaluate();
        await settle();
      }
      const critical = (event: NewHistoryEvent): boolean => event.detail.startsWith('InstancesLost (critical)');
      expect(events.filter(critical)).toEqual([]);
      const recoveredAt = new Date(T0 + 28_000).toISOString();
      instances = ['web-1', 'web-2', 'web-3'].map((id) => ({ ...passing(id), recoveredAt }));
      nowMs = T0 + 30_000;
      alerting.evaluate();
      await settle();
      expect(events.filter((event) => critical(event) && event.kind === 'alert.resolved').map((event) => event.detail)).toEqual(['InstancesLost (critical) resolved: web: 3 of 3 instances lost']);
    } finally {
      alerting.stop();
    }
  });
  it('writes no critical resolve when a critical here ends still pending and the warning is back: the service never recovered, and the row closes once it does', async () => {
    let nowMs = T0;
    let leads = false;
    const events: NewHistoryEvent[] = [];
    const lost = (id: string, atMs = T0 - 120_000): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(atMs).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK' });
    const recorded: HistoryEvent[] = [{ id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }];
    let instances = [lost('web-1'), lost('web-2'), passing('web-3')];
    const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts: () => Promise.resolve([...recorded].reverse()), webInstances: () => instances, lostForSeconds: 30 });
    const critical = (event: NewHistoryEvent): boolean => event.detail.startsWith('InstancesLost (critical)');
    const lostAlerts = (): string[] => alerting.snapshot().alerts.flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [`${alert.labels.severity} ${alert.state}`] : []));
    try {
      alerting.evaluate();
      leads = true;
      nowMs = T0 + 5_000;
      alerting.evaluate();
      await settle();
      await settle();
      // web-3 is lost too (the critical pending), then back before the critical fires: the warning again.
      instances = [lost('web-1'), lost('web-2'), lost('web-3', T0 + 8_000)];
      nowMs = T0 + 10_000;
      alerting.evaluate();
      expect(lostAlerts()).toEqual(['critical pending']);
      instances = [lost('web-1'), lost('web-2'), passing('web-3')];
      nowMs = T0 + 15_000;
      alerting.evaluate();
      await settle();
      expect(lostAlerts()).toEqual(['warning firing']);
      expect(events.filter(critical)).toEqual([]);
      const recoveredAt = new Date(T0 + 28_000).toISOString();
      instances = ['web-1', 'web-2', 'web-3'].map((id) => ({ ...passing(id), recoveredAt }));
      nowMs = T0 + 30_000;
      alerting.evaluate();
      await settle();
      expect(events.filter(critical).map((event) => `${event.at} ${event.kind} ${event.detail.slice(0, 33)}`)).toEqual([`${recoveredAt} alert.resolved InstancesLost (critical) resolved`]);
    } finally {
      alerting.stop();
    }
  });
});

const PostedAlertsSchema = z.array(z.object({ labels: z.record(z.string(), z.string()), startsAt: z.string(), endsAt: z.string().optional() }));
const WebhookAlertsSchema = z.object({ alerts: z.array(z.object({ status: z.string(), labels: z.record(z.string(), z.string()), startsAt: z.string(), endsAt: z.string().optional() })) });

/** Enough of Alertmanager for the resender: records each `POST /api/v2/alerts` body; lists no silences. */
async function alertmanagerStub() {
  const alertPosts: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/api/v2/alerts') alertPosts.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end(request.method === 'GET' ? '[]' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    alertPosts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The old leader paged with web's InstancesLost critical (every instance lost), and web-3 came back;
 * this replica started after, holds the warning (2 of 3 lost), and takes over delivery at 5 s, with
 * a webhook and an Alertmanager (receivers recording what they are sent).
 */
async function warningHeldAtHandOver(options: { history?: 'answers' | 'fails' | 'fails once'; followingMs?: number; clock?: ReturnType<typeof createManualClock> } = {}) {
  const webhook = await startReceiver();
  const alertmanager = await alertmanagerStub();
  let nowMs = T0;
  let leads = false;
  const events: NewHistoryEvent[] = [];
  const lost = (id: string, atMs = T0 - 120_000): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(atMs).toISOString(), cause: 'lease expired', passingBefore: 3 } });
  const passing = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK' });
  const criticalFiredAt = new Date(T0 - 115_000).toISOString();
  const recorded: HistoryEvent[] = [{ id: 1, at: criticalFiredAt, kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }];
  let instances = [lost('web-1'), lost('web-2'), passing('web-3')];
  let failures = options.history === 'fails' ? Infinity : options.history === 'fails once' ? 1 : 0;
  const recordedAlerts = (): Promise<readonly HistoryEvent[]> => (failures-- > 0 ? Promise.reject(new Error('history unavailable')) : Promise.resolve([...recorded].reverse()));
  const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts, webInstances: () => instances, webhookUrl: webhook.url, alertmanagerUrl: alertmanager.url, ...(options.clock ? { clock: options.clock } : {}) });
  alerting.evaluate();
  // Following for this long first: the warning's firing is then older than what a replica remembers having missed.
  nowMs = T0 + (options.followingMs ?? 0);
  alerting.evaluate();
  leads = true;
  nowMs += 5_000;
  alerting.evaluate();
  return {
    alerting,
    events,
    criticalFiredAt,
    /** InstancesLost as Alertmanager's last post held it: `severity status endsAt?`. */
    alertmanagerHolds: (): string[] => {
      const last = alertmanager.alertPosts.at(-1);
      return last !== undefined ? PostedAlertsSchema.parse(JSON.parse(last)).flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [`${alert.labels.severity ?? '?'} ${alert.endsAt ?? 'firing'}`] : [])) : [];
    },
    /** The labels of InstancesLost in Alertmanager's last post. */
    alertmanagerLabels: (): Record<string, string>[] => PostedAlertsSchema.parse(JSON.parse(alertmanager.alertPosts.at(-1) ?? '[]')).flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [alert.labels] : [])),
    /** The InstancesLost severities any post to Alertmanager carried. */
    alertmanagerEverHeld: (): string[] => [...new Set(alertmanager.alertPosts.flatMap((body) => PostedAlertsSchema.parse(JSON.parse(body)).flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [alert.labels.severity ?? '?'] : []))))],
    /** Every InstancesLost notification the webhook got: `severity status endsAt?`. */
    webhookGot: (): string[] => webhook.posts.flatMap((post) => WebhookAlertsSchema.parse(JSON.parse(post.body)).alerts.flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [`${alert.labels.severity ?? '?'} ${alert.status} ${alert.endsAt ?? '-'}`] : []))),
    /** web-3 is lost too (at 6 s), evaluated at 7 s: this replica escalates. */
    loseAll(): void {
      instances = [lost('web-1'), lost('web-2'), lost('web-3', T0 + 6_000)];
      nowMs = T0 + 7_000;
      alerting.evaluate();
    },
    /** Every instance passes again, recovered at 8 s, evaluated at 10 s. */
    recover(): string {
      const recoveredAt = new Date(T0 + 8_000).toISOString();
      instances = ['web-1', 'web-2', 'web-3'].map((id) => ({ ...passing(id), recoveredAt }));
      nowMs = T0 + 10_000;
      alerting.evaluate();
      return recoveredAt;
    },
    async stop(): Promise<void> {
      alerting.stop();
      await Promise.all([webhook.close(), alertmanager.close()]);
    },
  };
}

describe('taking over delivery of an InstancesLost warning while the old leader paged with the critical one: no step down', () => {
  it('sends no warning in its place: Alertmanager is sent that critical (its labels) and never the warning, the webhook and History hear of no warning', async () => {
    const replica = await warningHeldAtHandOver();
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['critical firing']), POST_WAIT);
      await settle();
      // The labels the old leader's critical had (every instance missing: no `instance`): the same alert there.
      expect(replica.alertmanagerLabels()).toEqual([{ alertname: 'InstancesLost', severity: 'critical', cause: 'lost', service: 'web' }]);
      expect(replica.alertmanagerEverHeld()).toEqual(['critical']);
      expect(replica.webhookGot()).toEqual([]);
      expect(replica.events.filter((event) => event.detail.startsWith('InstancesLost'))).toEqual([]);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('does so too when the warning fired here longer ago than a replica remembers what it missed (10 min)', async () => {
    const replica = await warningHeldAtHandOver({ followingMs: 11 * 60_000 });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['critical firing']), POST_WAIT);
      expect(replica.alertmanagerEverHeld()).toEqual(['critical']);
      expect(replica.webhookGot()).toEqual([]);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('sends no second critical firing when this replica escalates too: the same labels, the same alert carries on, and its resolve is sent at the recovery', async () => {
    const replica = await warningHeldAtHandOver();
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['critical firing']), POST_WAIT);
      replica.loseAll();
      await settle();
      const recoveredAt = replica.recover();
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual([`critical resolved ${recoveredAt}`]), POST_WAIT);
      expect(replica.alertmanagerEverHeld()).toEqual(['critical']);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('resolves in Alertmanager the warning it sent while history could not be read, once a retry finds the critical standing', async () => {
    const clock = createManualClock(0);
    const replica = await warningHeldAtHandOver({ history: 'fails once', clock });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['warning firing']), POST_WAIT);
      clock.advance(1_000);
      await vi.waitFor(() => expect(replica.alertmanagerHolds().sort()).toEqual(['critical firing', `warning ${new Date(T0 + 5_000).toISOString()}`]), POST_WAIT);
      expect(replica.webhookGot()).toEqual([]);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('sends the warning to Alertmanager after all while history cannot be read: a lower page beats none once the old critical expires there', async () => {
    const replica = await warningHeldAtHandOver({ history: 'fails' });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['warning firing']), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('sends that critical’s resolve once the service recovers, dated at the recovery, to the webhook and Alertmanager, and nothing of the warning', async () => {
    const replica = await warningHeldAtHandOver();
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual(['critical firing']), POST_WAIT);
      const recoveredAt = replica.recover();
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual([`critical resolved ${recoveredAt}`]), POST_WAIT);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([`critical ${recoveredAt}`]), POST_WAIT);
      expect(replica.events.filter((event) => event.detail.startsWith('InstancesLost')).map((event) => `${event.at} ${event.kind} ${event.detail.slice(0, 24)}`)).toEqual([`${recoveredAt} alert.resolved InstancesLost (critical)`]);
    } finally {
      await replica.stop();
    }
  }, 15_000);
});

/**
 * The history store as the catch-up reads it: what the old leaders wrote (`recorded`) and what this
 * replica writes (`events`, ids in write order), newest first by time then id.
 */
function historyOf(recorded: readonly HistoryEvent[], events: readonly NewHistoryEvent[]): HistoryEvent[] {
  const firstId = Math.max(0, ...recorded.map((event) => event.id)) + 1;
  const written = events.map((event, index): HistoryEvent => ({ ...event, id: firstId + index }));
  return [...recorded, ...written].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
}

const DAY_MS = 86_400_000;
const webRow = (id: number, atMs: number, kind: 'alert.fired' | 'alert.resolved', detail: string, instance?: string): HistoryEvent => ({ id, at: new Date(atMs).toISOString(), kind, service: 'web', ...(instance !== undefined ? { instance } : {}), detail });

/**
 * This replica holds web's InstancesLost warning (`partial`: web-1 and web-2 of 3 lost; `single`:
 * web-1 only) from T0 (from 1 s with `alsoFailing`, whose alert fires at T0) and takes over delivery 5 s later, its history holding `recorded` and what it
 * writes; a webhook and an Alertmanager record what they are sent.
 */
async function takingOverFrom(options: { recorded: HistoryEvent[]; history?: 'answers' | 'fails once' | 'fails' | 'hangs' | { answersOnce: Promise<void> }; clock?: ReturnType<typeof createManualClock>; lost?: 'partial' | 'single'; alsoFailing?: { service: string; historyHangs: true } }) {
  const webhook = await startReceiver();
  const alertmanager = await alertmanagerStub();
  let nowMs = T0;
  let leads = false;
  const events: NewHistoryEvent[] = [];
  const lost = (id: string, atMs = T0 - 120_000): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(atMs).toISOString(), cause: 'lease expired', passingBefore: 3 } });
  const passing = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK' });
  const lostNow = options.lost === 'single' ? [lost('web-1'), passing('web-2'), passing('web-3')] : [lost('web-1'), lost('web-2'), passing('web-3')];
  // The other service's alert is missed first: web's instances are lost from the next evaluation.
  let instances = options.alsoFailing ? ['web-1', 'web-2', 'web-3'].map(passing) : lostNow;
  const history = options.history;
  let failures = history === 'fails once' ? 1 : history === 'fails' ? Infinity : 0;
  const recordedAlerts = (service: string): Promise<readonly HistoryEvent[]> =>
    typeof history === 'object'
      ? history.answersOnce.then(() => historyOf(options.recorded, events))
      : history === 'hangs' || service === options.alsoFailing?.service
        ? new Promise<readonly HistoryEvent[]>(() => undefined)
        : failures-- > 0
          ? Promise.reject(new Error('history unavailable'))
          : Promise.resolve(historyOf(options.recorded, events));
  const alerting = alertingFor({ store: slowStore().store, events, now: () => nowMs, delivers: () => leads, recordedAlerts, webInstances: () => instances, webhookUrl: webhook.url, alertmanagerUrl: alertmanager.url, ...(options.clock ? { clock: options.clock } : {}), ...(options.alsoFailing ? { alsoFailing: options.alsoFailing.service } : {}) });
  alerting.evaluate();
  if (options.alsoFailing) {
    instances = lostNow;
    nowMs += 1_000;
    alerting.evaluate();
  }
  leads = true;
  nowMs += 5_000;
  alerting.evaluate();
  return {
    events,
    /** InstancesLost as Alertmanager's last post held it: `severity instance startsAt endsAt|firing`. */
    alertmanagerHolds: (): string[] => {
      const last = alertmanager.alertPosts.at(-1);
      return last !== undefined ? PostedAlertsSchema.parse(JSON.parse(last)).flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [`${alert.labels.severity ?? '?'} ${alert.labels.instance ?? '-'} ${alert.startsAt} ${alert.endsAt ?? 'firing'}`] : [])).sort() : [];
    },
    /** Every InstancesLost notification the webhook got: `severity status instance`. */
    webhookGot: (): string[] => webhook.posts.flatMap((post) => WebhookAlertsSchema.parse(JSON.parse(post.body)).alerts.flatMap((alert) => (alert.labels.alertname === 'InstancesLost' ? [`${alert.labels.severity ?? '?'} ${alert.status} ${alert.labels.instance ?? '-'}`] : []))),
    /** InstancesLost rows this replica wrote: `at kind instance|- detail up to its first colon`. */
    rows: (): string[] => events.filter((event) => event.detail.startsWith('InstancesLost')).map((event) => `${event.at} ${event.kind} ${event.instance ?? '-'} ${event.detail.split(':')[0] ?? ''}`),
    /** The fleet as `next` from `ms` after T0, evaluated then. */
    at(ms: number, next?: Instance[]): void {
      if (next) instances = next;
      nowMs = T0 + ms;
      alerting.evaluate();
    },
    lost,
    passing,
    async stop(): Promise<void> {
      alerting.stop();
      await Promise.all([webhook.close(), alertmanager.close()]);
    },
  };
}

describe('taking over delivery of an InstancesLost warning: which old critical stands (review of 1231691, 5e02d11, cdc1d6c)', () => {
  it('pages no critical whose alert.fired row is older than a warning row after it (that critical had ended): records its resolve, dated at that warning row, and sends the warning', async () => {
    const criticalFiredMs = T0 - 3 * DAY_MS;
    const warningFiredMs = T0 - 2 * DAY_MS;
    const replica = await takingOverFrom({
      recorded: [
        webRow(1, criticalFiredMs, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost'),
        webRow(2, warningFiredMs, 'alert.fired', 'InstancesLost (warning): web: 1 of 3 instances lost', 'web-1'),
        webRow(3, warningFiredMs + 3_600_000, 'alert.resolved', 'InstancesLost (warning) resolved: web: 1 of 3 instances lost', 'web-1'),
      ],
    });
    try {
      await vi.waitFor(() => expect(replica.rows()).toHaveLength(2), POST_WAIT);
      expect(replica.rows()).toEqual([`${new Date(warningFiredMs).toISOString()} alert.resolved - InstancesLost (critical) resolved`, `${new Date(T0).toISOString()} alert.fired - InstancesLost (warning)`]);
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual(['warning firing -']), POST_WAIT);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('writes the old critical’s resolve before the critical of other labels that carries it on, and a later hand-over fires neither again', async () => {
    const recorded = [webRow(1, T0 - 115_000, 'alert.fired', 'InstancesLost (critical): web: 1 of 1 instances lost', 'web-1')];
    const replica = await takingOverFrom({ recorded, lost: 'single' });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([`critical web-1 ${new Date(T0 - 115_000).toISOString()} firing`]), POST_WAIT);
      const everyLost = [replica.lost('web-1'), replica.lost('web-2', T0 + 6_000), replica.lost('web-3', T0 + 6_000)];
      replica.at(7_000, everyLost);
      const at = new Date(T0 + 7_000).toISOString();
      // The same time: History orders them by id, so the firing must be written last to read as the latest critical row.
      expect(replica.rows()).toEqual([`${at} alert.resolved web-1 InstancesLost (critical) resolved`, `${at} alert.fired - InstancesLost (critical)`]);
      // Another replica, holding every instance lost, takes over from this one.
      let nextLeads = false;
      const nextEvents: NewHistoryEvent[] = [];
      const history = historyOf(recorded, replica.events);
      const next = alertingFor({ store: slowStore().store, events: nextEvents, now: () => T0 + 60_000, delivers: () => nextLeads, recordedAlerts: () => Promise.resolve(history), webInstances: () => everyLost });
      try {
        next.evaluate();
        nextLeads = true;
        next.evaluate();
        await settle();
        await settle();
        expect(nextEvents.filter((event) => event.detail.startsWith('InstancesLost'))).toEqual([]);
      } finally {
        next.stop();
      }
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('records and sends the old critical’s resolve, nothing of the warning, when the service recovers before a retry finds that critical standing', async () => {
    const clock = createManualClock(0);
    const replica = await takingOverFrom({
      recorded: [
        webRow(1, T0 - 200_000, 'alert.fired', 'InstancesLost (warning): web: 1 of 3 instances lost', 'web-1'),
        // The warning gave way to the critical: both written by one evaluation, at the same time.
        webRow(2, T0 - 115_000, 'alert.resolved', 'InstancesLost (warning) resolved: web: 1 of 3 instances lost', 'web-1'),
        webRow(3, T0 - 115_000, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost'),
      ],
      history: 'fails once',
      clock,
    });
    try {
      // History failed: the warning is sent after all (a lower page beats none).
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
      const recoveredAt = new Date(T0 + 5_500).toISOString();
      replica.at(5_800, ['web-1', 'web-2', 'web-3'].map((id) => ({ ...replica.passing(id), recoveredAt })));
      await settle();
      clock.advance(1_000);
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual(['critical resolved -']), POST_WAIT);
      expect(replica.rows()).toEqual([`${recoveredAt} alert.resolved - InstancesLost (critical) resolved`]);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([`critical - ${new Date(T0 - 115_000).toISOString()} ${recoveredAt}`, expect.stringMatching(new RegExp(`^warning - .* ${recoveredAt}$`))]), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('judges the warnings it holds back before the other alert changes it missed: a slow history read of another service does not keep the old critical from Alertmanager', async () => {
    const replica = await takingOverFrom({ recorded: [webRow(1, T0 - 115_000, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost')], alsoFailing: { service: 'api', historyHangs: true } });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([`critical - ${new Date(T0 - 115_000).toISOString()} firing`]), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('holds a firing warning back from Alertmanager for 30 s at most while history does not answer: its absence must not end it there', async () => {
    const clock = createManualClock(0);
    const replica = await takingOverFrom({ recorded: [], history: 'hangs', clock });
    try {
      clock.advance(29_000);
      await settle();
      expect(replica.alertmanagerHolds()).toEqual([]);
      clock.advance(1_000);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);
});

describe('taking over delivery of an InstancesLost warning: what it sent, and resolves it held back (review of 481568e)', () => {
  /** The old leader's warning gave way to the critical, which stands open. */
  const criticalStanding = [
    webRow(1, T0 - 200_000, 'alert.fired', 'InstancesLost (warning): web: 1 of 3 instances lost', 'web-1'),
    webRow(2, T0 - 115_000, 'alert.resolved', 'InstancesLost (warning) resolved: web: 1 of 3 instances lost', 'web-1'),
    webRow(3, T0 - 115_000, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost'),
  ];
  const criticalFiring = `critical - ${new Date(T0 - 115_000).toISOString()} firing`;
  /** Every instance back (and passing) at `ms` after T0, recovered 1 s before. */
  const recoverAt = (replica: Awaited<ReturnType<typeof takingOverFrom>>, ms: number): string => {
    const recoveredAt = new Date(T0 + ms - 1_000).toISOString();
    replica.at(ms, ['web-1', 'web-2', 'web-3'].map((id) => ({ ...replica.passing(id), recoveredAt })));
    return recoveredAt;
  };

  it('resolves in Alertmanager the warning it sent once the 30 s hold ended, when a read answering after that finds the critical standing: not two pages', async () => {
    const clock = createManualClock(0);
    let answer!: () => void;
    const replica = await takingOverFrom({ recorded: criticalStanding, history: { answersOnce: new Promise<void>((resolve) => (answer = resolve)) }, clock });
    try {
      clock.advance(30_000);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
      answer();
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([criticalFiring, expect.stringMatching(/^warning - \S+ \d{4}-/)]), POST_WAIT);
      expect(replica.webhookGot()).toEqual([]);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('resolves in Alertmanager the warning it sent once the 30 s hold ended when the service recovers before the read finds the critical standing, and records and sends that critical’s resolve', async () => {
    const clock = createManualClock(0);
    let answer!: () => void;
    const replica = await takingOverFrom({ recorded: criticalStanding, history: { answersOnce: new Promise<void>((resolve) => (answer = resolve)) }, clock });
    try {
      clock.advance(30_000);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
      const recoveredAt = recoverAt(replica, 40_000);
      answer();
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual(['critical resolved -']), POST_WAIT);
      expect(replica.rows()).toEqual([`${recoveredAt} alert.resolved - InstancesLost (critical) resolved`]);
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([`critical - ${new Date(T0 - 115_000).toISOString()} ${recoveredAt}`, expect.stringMatching(new RegExp(`^warning - \\S+ ${recoveredAt}$`))]), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);

  it('records and sends the warning’s resolve it held back when the catch-up gives up on it, 10 min after that resolve: history down past 10 min, the service recovered at 9.5 min', async () => {
    const clock = createManualClock(0);
    const replica = await takingOverFrom({ recorded: [webRow(1, T0 - 115_000, 'alert.fired', 'InstancesLost (warning): web: 2 of 3 instances lost')], history: 'fails', clock });
    try {
      await vi.waitFor(() => expect(replica.alertmanagerHolds()).toEqual([expect.stringMatching(/^warning - .* firing$/)]), POST_WAIT);
      const recoveredAt = recoverAt(replica, 570_000);
      await settle();
      // Evaluations and retries every minute: the retry past 10 min from the resolve gives up on the key.
      for (let minute = 1; minute <= 11; minute++) {
        replica.at(570_000 + minute * 60_000);
        clock.advance(60_000);
        await settle();
        await settle();
        if (minute < 10) expect(replica.rows()).toEqual([]);
      }
      expect(replica.rows()).toEqual([`${recoveredAt} alert.resolved - InstancesLost (warning) resolved`]);
      await vi.waitFor(() => expect(replica.webhookGot()).toEqual(['warning resolved -']), POST_WAIT);
    } finally {
      await replica.stop();
    }
  }, 15_000);
});

describe('a resolve in history', () => {
  it('is dated at the service\u2019s recovery, as its endsAt is, not at the evaluation that saw it', () => {
    const replica = failingThenRecovering();
    try {
      replica.fireThenResolve();
      expect(replica.events.map((event) => [event.kind, event.at])).toEqual([
        ['alert.fired', new Date(T0 + 2_000).toISOString()],
        ['alert.resolved', new Date(T0 + 2_400).toISOString()],
      ]);
    } finally {
      replica.alerting.stop();
    }
  });
});

describe('alerting with silences in the shared store', () => {
  it('keeps a silence just made even when a read begun before it answers after it', async () => {
    let nowMs = T0;
    const { store, answerReads } = slowStore();
    const events: NewHistoryEvent[] = [];
    const alerting = alertingFor({ store, events, now: () => nowMs });
    try {
      alerting.evaluate();
      // A read is in flight (from the start); the operator silences web meanwhile; then the stale read answers.
      await alerting.silence({ service: 'web', reason: 'deploy', durationSeconds: 600 }, 'ops');
      answerReads();
      await settle();
      nowMs = T0 + 2_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.service} ${alert.state}`)).toEqual(['web silenced']);
      expect(events.map((event) => event.kind)).toEqual(['alert.silenced']);
      expect(events[0]).toMatchObject({ service: 'web', actor: 'ops' });
    } finally {
      alerting.stop();
    }
  });
});

describe('acknowledging an alert', () => {
  it('takes a firing alert only, one acknowledgement at a time, audited; the leader ends it in the store when the alert resolves', async () => {
    let nowMs = T0;
    let down = true;
    const events: NewHistoryEvent[] = [];
    const { store: acks, rows } = memoryAckStore();
    const alerting = alertingFor({ store: slowStore().store, acks, events, now: () => nowMs, failingNow: () => down });
    try {
      alerting.evaluate();
      expect(await alerting.acknowledge({ alertname: 'ServiceCritical', service: 'web' }, 'ops')).toEqual({ ok: false, code: 'not_firing' });
      expect(await alerting.acknowledge({ alertname: 'InstancesLost', service: 'web' }, 'ops')).toEqual({ ok: false, code: 'not_found' });
      nowMs = T0 + 2_000;
      alerting.evaluate();
      const taken = await alerting.acknowledge({ alertname: 'ServiceCritical', service: 'web', reason: 'restarting it' }, 'ops');
      expect(taken).toMatchObject({ ok: true, ack: { by: 'ops', reason: 'restarting it' } });
      nowMs = T0 + 3_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts[0]).toMatchObject({ state: 'firing', acknowledged: { by: 'ops', reason: 'restarting it' } });
      expect(await alerting.acknowledge({ alertname: 'ServiceCritical', service: 'web' }, 'ops-2')).toEqual({ ok: false, code: 'already_acknowledged' });
      expect(events.filter((event) => event.kind === 'alert.acknowledged')).toEqual([expect.objectContaining({ service: 'web', instance: 'web-1', actor: 'ops', detail: 'ServiceCritical acknowledged: restarting it' })]);

      down = false;
      nowMs = T0 + 4_000;
      alerting.evaluate();
      await settle();
      expect(rows[0]?.endedBy).toBeNull();
      expect(events.map((event) => event.kind)).toEqual(['alert.fired', 'alert.acknowledged', 'alert.resolved', 'alert.unacknowledged']);
      expect(events[3]?.detail).toBe('ServiceCritical acknowledgement by ops ended: the alert resolved');
      // Its next firing is a new one: it may be acknowledged again.
      down = true;
      alerting.evaluate();
      nowMs = T0 + 6_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts[0]?.acknowledged).toBeUndefined();
      expect((await alerting.acknowledge({ alertname: 'ServiceCritical', service: 'web' }, 'ops')).ok).toBe(true);
    } finally {
      alerting.stop();
    }
  });

  it('ends an acknowledgement whose alert gave way to another of the same name (ServiceFlapping, warning to critical), so the new one can be acknowledged', async () => {
    let nowMs = T0;
    const events: NewHistoryEvent[] = [];
    const { store: acks, rows } = memoryAckStore();
    /** Five changes into or out of critical in the last minutes: flapping by ServiceFlapping's default rule. */
    const flapped = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK', criticalChangesMs: [5, 4, 3, 2, 1].map((ago) => T0 - ago * 30_000) });
    let flapping = [flapped('web-1')];
    const alerting = alertingFor({ store: slowStore().store, acks, events, now: () => nowMs, webInstances: () => [...flapping, ...(flapping.length === 1 ? [{ ...failing, id: 'web-2', key: '/services/web/web-2', status: 'passing' as const, statusCause: 'probe OK' }] : [])] });
    try {
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.alertname} ${alert.labels.severity} ${alert.state}`)).toEqual(['ServiceFlapping warning firing']);
      expect((await alerting.acknowledge({ alertname: 'ServiceFlapping', service: 'web' }, 'ops')).ok).toBe(true);
      nowMs = T0 + 1_000;
      alerting.evaluate();
      flapping = [flapped('web-1'), flapped('web-2')];
      nowMs = T0 + 2_000;
      alerting.evaluate();
      await settle();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.alertname} ${alert.labels.severity} ${alert.state}`)).toEqual(['ServiceFlapping critical firing']);
      expect(rows[0]?.endedBy).toBeNull();
      expect(await alerting.acknowledge({ alertname: 'ServiceFlapping', service: 'web' }, 'ops')).toMatchObject({ ok: true });
    } finally {
      alerting.stop();
    }
  });

  it('refuses an acknowledgement naming the severity shown when the alert of that name now fires at another (the warning gave way to a critical one): the critical page is not muted', async () => {
    let nowMs = T0;
    const events: NewHistoryEvent[] = [];
    const { store: acks, rows } = memoryAckStore();
    const lost = (id: string): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(T0 - 10_000).toISOString(), cause: 'lease expired', passingBefore: 2 } });
    let instances = [lost('web-1'), { ...failing, id: 'web-2', key: '/services/web/web-2', status: 'passing' as const, statusCause: 'probe OK' }];
    const alerting = alertingFor({ store: slowStore().store, acks, events, now: () => nowMs, webInstances: () => instances });
    try {
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.alertname} ${alert.labels.severity} ${alert.state}`)).toEqual(['InstancesLost warning firing']);
      // The operator's page shows the warning; every instance goes before the click.
      instances = [lost('web-1'), lost('web-2')];
      nowMs = T0 + 1_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts.filter((alert) => alert.labels.alertname === 'InstancesLost').map((alert) => `${alert.labels.severity} ${alert.state}`)).toEqual(['critical firing']);
      expect(await alerting.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'warning' }, 'ops')).toEqual({ ok: false, code: 'severity_changed' });
      expect(rows).toEqual([]);
      expect(events.filter((event) => event.kind === 'alert.acknowledged')).toEqual([]);
      expect(await alerting.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'ops')).toMatchObject({ ok: true });
    } finally {
      alerting.stop();
    }
  });

  it('refuses an acknowledgement naming the critical ServiceFlapping alert once it stepped down to a warning: that critical is no more, and the warning must not stay unacknowledged behind it', async () => {
    let nowMs = T0;
    const events: NewHistoryEvent[] = [];
    const { store: acks, rows } = memoryAckStore();
    const flapped = (id: string): Instance => ({ ...failing, id, key: `/services/web/${id}`, status: 'passing', statusCause: 'probe OK', criticalChangesMs: [5, 4, 3, 2, 1].map((ago) => T0 - ago * 30_000) });
    let instances = [flapped('web-1'), flapped('web-2')];
    const alerting = alertingFor({ store: slowStore().store, acks, events, now: () => nowMs, webInstances: () => instances });
    try {
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.alertname} ${alert.labels.severity} ${alert.state}`)).toEqual(['ServiceFlapping critical firing']);
      // The operator's page shows the critical alert; web-2 stops flapping before the click.
      instances = [flapped('web-1'), { ...failing, id: 'web-2', key: '/services/web/web-2', status: 'passing', statusCause: 'probe OK' }];
      nowMs = T0 + 1_000;
      alerting.evaluate();
      expect(alerting.snapshot().alerts.map((alert) => `${alert.labels.alertname} ${alert.labels.severity} ${alert.state}`)).toEqual(['ServiceFlapping warning firing']);
      expect(await alerting.acknowledge({ alertname: 'ServiceFlapping', service: 'web', severity: 'critical' }, 'ops')).toEqual({ ok: false, code: 'severity_changed' });
      expect(rows).toEqual([]);
      expect(events.filter((event) => event.kind === 'alert.acknowledged')).toEqual([]);
    } finally {
      alerting.stop();
    }
  });

  describe('on replicas that disagree on the severity (one started after every instance was lost and one came back)', () => {
    const lost = (id: string): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(T0 - 120_000).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing: Instance = { ...failing, id: 'web-3', key: '/services/web/web-3', status: 'passing', statusCause: 'probe OK' };
    /** A, the leader, held every instance lost (critical, standing); B starts once web-3 passes again, and holds the warning. */
    function replicas() {
      let nowMs = T0;
      const events: NewHistoryEvent[] = [];
      const shared = memoryAckStore();
      let instances = [lost('web-1'), lost('web-2'), lost('web-3')];
      const clock = createManualClock(0);
      const leader = alertingFor({ store: slowStore().store, acks: shared.store, events, now: () => nowMs, webInstances: () => instances, clock });
      leader.evaluate();
      instances = [lost('web-1'), lost('web-2'), passing];
      nowMs = T0 + 5_000;
      leader.evaluate();
      const other = alertingFor({ store: slowStore().store, acks: shared.store, events: [], now: () => nowMs, delivers: () => false, webInstances: () => instances });
      other.evaluate();
      const severities = (alerting: typeof leader): string[] => alerting.snapshot().alerts.filter((alert) => alert.labels.alertname === 'InstancesLost').map((alert) => `${alert.labels.severity}${alert.acknowledged ? ` acknowledged by ${alert.acknowledged.id}` : ''}`);
      expect([severities(leader), severities(other)]).toEqual([['critical'], ['warning']]);
      /** The leader's next evaluation, after its timer read the shared store again. */
      const leaderReadsAndEvaluates = async (): Promise<void> => {
        // Its start's read answered first: one read at a time (shared-list.ts).
        await settle();
        nowMs += 1_000;
        clock.advance(1_000);
        await settle();
        leader.evaluate();
        await settle();
      };
      return { leader, other, events, rows: shared.rows, severities, leaderReadsAndEvaluates, stop: () => [leader, other].forEach((alerting) => alerting.stop()) };
    }

    it('takes, on the replica holding the warning, an acknowledgement of the critical alert a page drawn by the other showed, and it covers the critical one there', async () => {
      const { leader, other, rows, severities, leaderReadsAndEvaluates, stop } = replicas();
      try {
        expect(await other.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'ops')).toMatchObject({ ok: true, ack: { id: 'a-1', severity: 'critical' } });
        await leaderReadsAndEvaluates();
        expect(severities(leader)).toEqual(['critical acknowledged by a-1']);
        expect(rows.map((row) => row.endedBy)).toEqual([undefined]);
      } finally {
        stop();
      }
    });

    it('lets an acknowledgement of the warning, taken on the replica holding it, cover nothing on the leader, which ends it so the critical can be acknowledged', async () => {
      const { leader, other, events, rows, severities, leaderReadsAndEvaluates, stop } = replicas();
      try {
        expect(await other.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'warning' }, 'ops')).toMatchObject({ ok: true, ack: { id: 'a-1', severity: 'warning' } });
        await leaderReadsAndEvaluates();
        expect(severities(leader)).toEqual(['critical']);
        expect(rows.map((row) => row.endedBy)).toEqual([null]);
        expect(events.at(-1)).toMatchObject({ kind: 'alert.unacknowledged', detail: 'InstancesLost (warning) acknowledgement by ops ended: no InstancesLost (warning) alert of web is active' });
        expect(await leader.acknowledge({ alertname: 'InstancesLost', service: 'web' }, 'ops')).toMatchObject({ ok: true, ack: { id: 'a-2', severity: 'critical' } });
      } finally {
        stop();
      }
    });

    /** The leader still holds the warning: the other saw web-3 go too one evaluation earlier, and the page it drew shows the critical alert. */
    function otherEscalatesFirst() {
      let nowMs = T0;
      const events: NewHistoryEvent[] = [];
      const shared = memoryAckStore();
      let leaderSees = [lost('web-1'), lost('web-2'), passing];
      let otherSees = leaderSees;
      const clock = createManualClock(0);
      const leader = alertingFor({ store: slowStore().store, acks: shared.store, events, now: () => nowMs, webInstances: () => leaderSees, clock });
      const other = alertingFor({ store: slowStore().store, acks: shared.store, events: [], now: () => nowMs, delivers: () => false, webInstances: () => otherSees });
      leader.evaluate();
      other.evaluate();
      otherSees = [lost('web-1'), lost('web-2'), lost('web-3')];
      nowMs += 500;
      other.evaluate();
      const severities = (alerting: typeof leader): string[] => alerting.snapshot().alerts.filter((alert) => alert.labels.alertname === 'InstancesLost').map((alert) => `${alert.labels.severity}${alert.acknowledged ? ` acknowledged by ${alert.acknowledged.id}` : ''}`);
      expect([severities(leader), severities(other)]).toEqual([['warning'], ['critical']]);
      const leaderReadsAndEvaluates = async (instances?: Instance[]): Promise<void> => {
        await settle();
        if (instances) leaderSees = instances;
        nowMs += 1_000;
        clock.advance(1_000);
        await settle();
        leader.evaluate();
        await settle();
      };
      return { leader, other, events, rows: shared.rows, severities, leaderReadsAndEvaluates, stop: () => [leader, other].forEach((alerting) => alerting.stop()) };
    }

    it('keeps, on the leader still holding the warning, an acknowledgement of the critical alert taken on the replica that escalated first: it covers the leader\u2019s critical once that fires', async () => {
      const { leader, other, events, rows, severities, leaderReadsAndEvaluates, stop } = otherEscalatesFirst();
      try {
        expect(await other.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'ops')).toMatchObject({ ok: true, ack: { id: 'a-1', severity: 'critical' } });
        await leaderReadsAndEvaluates();
        expect(severities(leader)).toEqual(['warning']);
        expect(rows.map((row) => row.endedBy)).toEqual([undefined]);
        await leaderReadsAndEvaluates([lost('web-1'), lost('web-2'), lost('web-3')]);
        expect(severities(leader)).toEqual(['critical acknowledged by a-1']);
        expect(events.filter((event) => event.kind === 'alert.unacknowledged')).toEqual([]);
      } finally {
        stop();
      }
    });

    it('ends that acknowledgement once the service recovers without the leader escalating', async () => {
      const { leader, other, events, rows, leaderReadsAndEvaluates, stop } = otherEscalatesFirst();
      try {
        expect(await other.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'ops')).toMatchObject({ ok: true });
        await leaderReadsAndEvaluates([passing, { ...passing, id: 'web-1', key: '/services/web/web-1' }, { ...passing, id: 'web-2', key: '/services/web/web-2' }]);
        expect(leader.snapshot().alerts.filter((alert) => alert.labels.alertname === 'InstancesLost')).toEqual([]);
        expect(rows.map((row) => row.endedBy)).toEqual([null]);
        expect(events.at(-1)).toMatchObject({ kind: 'alert.unacknowledged', detail: 'InstancesLost (critical) acknowledgement by ops ended: the alert resolved' });
      } finally {
        stop();
      }
    });
  });

  describe('naming the critical InstancesLost alert while this replica holds the warning', () => {
    const lost = (id: string, atMs = T0 - 120_000): Instance => ({ ...failing, id, key: `/switchyard/lost/web/${id}`, statusCauseKind: 'lost', lost: { at: new Date(atMs).toISOString(), cause: 'lease expired', passingBefore: 3 } });
    const passing: Instance = { ...failing, id: 'web-3', key: '/services/web/web-3', status: 'passing', statusCause: 'probe OK' };
    /** One leader holding the warning (2 of 3 lost), an acknowledgement of the critical alert taken at T0; `recorded` is what history holds. */
    async function leaderWithCriticalAck(recorded: HistoryEvent[]) {
      let nowMs = T0;
      const events: NewHistoryEvent[] = [];
      const shared = memoryAckStore();
      let instances = [lost('web-1'), lost('web-2'), passing];
      const alerting = alertingFor({ store: slowStore().store, acks: shared.store, events, now: () => nowMs, webInstances: () => instances, recordedAlerts: () => Promise.resolve([...recorded].reverse()) });
      alerting.evaluate();
      expect(await alerting.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'bot')).toMatchObject({ ok: true, ack: { id: 'a-1', severity: 'critical' } });
      /** Evaluations every 30 s for this long. */
      const wait = async (forMs: number): Promise<void> => {
        for (const end = nowMs + forMs; nowMs < end; ) {
          nowMs += 30_000;
          alerting.evaluate();
          await settle();
          await settle();
        }
      };
      const loseTheLast = async (): Promise<void> => {
        instances = [lost('web-1'), lost('web-2'), lost('web-3', nowMs)];
        // It fires at the first, and is marked acknowledged from the next.
        await wait(60_000);
      };
      const critical = (): string[] => alerting.snapshot().alerts.filter((alert) => alert.labels.alertname === 'InstancesLost').map((alert) => `${alert.labels.severity}${alert.acknowledged ? ` acknowledged by ${alert.acknowledged.id}` : ''}`);
      return { alerting, events, rows: shared.rows, wait, loseTheLast, critical };
    }

    it('ends that acknowledgement a few evaluations past its rule\u2019s duration when no critical alert.fired row stands open: it must not mute a critical firing an hour later', async () => {
      const { alerting, events, rows, wait, loseTheLast, critical } = await leaderWithCriticalAck([]);
      try {
        await wait(3_600_000);
        expect(rows.map((row) => row.endedBy)).toEqual([null]);
        expect(events.filter((event) => event.kind === 'alert.unacknowledged').map((event) => event.detail)).toEqual(['InstancesLost (critical) acknowledgement by bot ended: no InstancesLost (critical) alert of web fired within 3 s of it']);
        await loseTheLast();
        expect(critical()).toEqual(['critical']);
      } finally {
        alerting.stop();
      }
    });

    it('keeps it while a critical alert.fired row stands open (an old leader\u2019s, the critical still standing there), and it covers the critical once this replica escalates', async () => {
      const { alerting, rows, wait, loseTheLast, critical } = await leaderWithCriticalAck([{ id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service: 'web', detail: 'InstancesLost (critical): web: 3 of 3 instances lost — web-1, web-2, web-3: lease expired' }]);
      try {
        await wait(3_600_000);
        expect(rows.map((row) => row.endedBy)).toEqual([undefined]);
        await loseTheLast();
        expect(critical()).toEqual(['critical acknowledged by a-1']);
      } finally {
        alerting.stop();
      }
    });
    it('ends it too when the latest critical row is an alert.fired older than a warning row after it (that critical had ended): it must not mute a critical firing later', async () => {
      const { alerting, rows, wait, loseTheLast, critical } = await leaderWithCriticalAck([
        webRow(1, T0 - 3 * DAY_MS, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost'),
        webRow(2, T0 - 2 * DAY_MS, 'alert.fired', 'InstancesLost (warning): web: 1 of 3 instances lost', 'web-1'),
        webRow(3, T0 - 2 * DAY_MS + 3_600_000, 'alert.resolved', 'InstancesLost (warning) resolved: web: 1 of 3 instances lost', 'web-1'),
      ]);
      try {
        await wait(3_600_000);
        expect(rows.map((row) => row.endedBy)).toEqual([null]);
        await loseTheLast();
        expect(critical()).toEqual(['critical']);
      } finally {
        alerting.stop();
      }
    });

    it('backs off reading history for that check while the read fails (up to every 5 min), and ends the acknowledgement once it answers', async () => {
      let nowMs = T0;
      let historyUp = false;
      let reads = 0;
      const events: NewHistoryEvent[] = [];
      const shared = memoryAckStore();
      const recordedAlerts = (): Promise<readonly HistoryEvent[]> => {
        reads += 1;
        return historyUp ? Promise.resolve([]) : Promise.reject(new Error('history unreachable'));
      };
      const alerting = alertingFor({ store: slowStore().store, acks: shared.store, events, now: () => nowMs, webInstances: () => [lost('web-1'), lost('web-2'), passing], recordedAlerts });
      const evaluateFor = async (forMs: number): Promise<void> => {
        for (const end = nowMs + forMs; nowMs < end; ) {
          nowMs += 1_000;
          alerting.evaluate();
          await settle();
          await settle();
        }
      };
      try {
        alerting.evaluate();
        expect(await alerting.acknowledge({ alertname: 'InstancesLost', service: 'web', severity: 'critical' }, 'bot')).toMatchObject({ ok: true });
        await evaluateFor(600_000);
        // 1, 2, 4 … 256 s apart, then 300 s: not once an evaluation.
        expect(reads).toBeLessThanOrEqual(12);
        expect(shared.rows.map((row) => row.endedBy)).toEqual([undefined]);
        historyUp = true;
        await evaluateFor(300_000);
        expect(shared.rows.map((row) => row.endedBy)).toEqual([null]);
      } finally {
        alerting.stop();
      }
    });
  });

  it('withdraws an acknowledgement, audited with who and what it was', async () => {
    let nowMs = T0;
    const events: NewHistoryEvent[] = [];
    const alerting = alertingFor({ store: slowStore().store, acks: memoryAckStore().store, events, now: () => nowMs });
    try {
      alerting.evaluate();
      nowMs = T0 + 2_000;
      alerting.evaluate();
      const taken = await alerting.acknowledge({ alertname: 'ServiceCritical', service: 'web', reason: 'on it' }, 'ops');
      if (!taken.ok) throw new Error(taken.code);
      alerting.evaluate();
      expect((await alerting.unacknowledge(taken.ack.id, 'lead'))?.id).toBe(taken.ack.id);
      expect(await alerting.unacknowledge(taken.ack.id, 'lead')).toBeUndefined();
      alerting.evaluate();
      expect(alerting.snapshot().alerts[0]).toMatchObject({ state: 'firing' });
      expect(alerting.snapshot().alerts[0]?.acknowledged).toBeUndefined();
      expect(events.at(-1)).toMatchObject({ kind: 'alert.unacknowledged', service: 'web', actor: 'lead', detail: 'ServiceCritical acknowledgement withdrawn (was by ops: on it)' });
    } finally {
      alerting.stop();
    }
  });
});

describe('a mass recovery while the hand-over reads history', () => {
  const SERVICES = 250;
  /** One instance of a service: lost two minutes before T0 (all of them: the old leader paged critical), or back and passing. */
  const instanceOf = (service: string, id: string, lost: boolean): Instance => lostOrPassing(service, id, lost, T0, { passingBefore: 3, recoveredAt: new Date(T0 + 9_000).toISOString() });

  it(`resolves the old leader's standing critical of each of ${SERVICES} services, though the engine kept only its last 200 resolves, and no warning it never saw firing`, async () => {
    const webhook = await startReceiver();
    let recovered = false;
    const fleet = () =>
      Array.from({ length: SERVICES }, (_, i) => {
        const service = `s${i}`;
        // Two of three lost here (this replica started after the third came back and left again, as the old leader paged): a warning.
        return toService(service, new Map([instanceOf(service, 'a', !recovered), instanceOf(service, 'b', !recovered), instanceOf(service, 'c', false)].map((one) => [one.key, one])));
      });
    let nowMs = T0;
    let leads = false;
    let answer!: () => void;
    const historyAnswers = new Promise<void>((resolve) => (answer = resolve));
    const events: NewHistoryEvent[] = [];
    const recordedAlerts = async (service: string): Promise<readonly HistoryEvent[]> => {
      await historyAnswers;
      const criticalFired: HistoryEvent = { id: 1, at: new Date(T0 - 115_000).toISOString(), kind: 'alert.fired', service, detail: `InstancesLost (critical): ${service}: 3 of 3 instances lost` };
      return [criticalFired, ...events.filter((event) => event.service === service).map((event, i) => ({ ...event, id: 100 + i }))].reverse();
    };
    const alerting = createAlerting({
      fleet: { summarySnapshot: () => ({ services: fleet().map(summaryOfService) }), serviceSnapshot: (name) => ({ instances: fleet().find((service) => service.name === name)?.instances ?? [] }), registryStatus: () => ({ state: 'synced', since: new Date(T0).toISOString() }) },
      edges: () => [],
      rules: AlertRulesSchema.parse({}),
      publicUrl: 'http://switchyard.example',
      alertmanagerUrls: [],
      webhook: { url: webhook.url, secret: undefined, format: 'json' },
      evaluationMs: 1_000,
      resendMs: 60_000,
      timeoutMs: 5_000,
      queueSize: 10_000,
      record: (event) => events.push(event),
      silences: { active: () => Promise.resolve([]), create: () => Promise.reject(new Error('not here')), find: () => Promise.resolve(undefined), end: () => Promise.resolve(undefined) },
      acks: { active: () => Promise.resolve([]), create: () => Promise.resolve(undefined), find: () => Promise.resolve(undefined), end: () => Promise.resolve(undefined), owned: () => Promise.resolve(new Set<string>()) },
      installId: () => Promise.resolve('00000000-0000-4000-8000-000000000001'),
      metrics: new Registry(),
      log: () => undefined,
      clock: createManualClock(0),
      now: () => nowMs,
      delivers: () => leads,
      recordedAlerts,
    });
    try {
      alerting.evaluate();
      leads = true;
      nowMs += 5_000;
      alerting.evaluate();
      recovered = true;
      nowMs = T0 + 10_000;
      alerting.evaluate();
      answer();
      const rowsOf = (prefix: string) => events.filter((event) => event.kind === 'alert.resolved' && event.detail.startsWith(prefix));
      await vi.waitFor(() => expect(rowsOf('InstancesLost (critical) resolved')).toHaveLength(SERVICES), { timeout: 20_000 });
      await settle();
      expect(rowsOf('InstancesLost (warning)')).toEqual([]);
      const sent = () => webhook.posts.flatMap((post) => (JSON.parse(post.body) as { alerts: { status: string; labels: Record<string, string> }[] }).alerts.map((alert) => `${alert.labels.severity} ${alert.status}`));
      await vi.waitFor(() => expect(sent().filter((what) => what === 'critical resolved')).toHaveLength(SERVICES), { timeout: 20_000 });
      expect(sent().filter((what) => what.startsWith('warning'))).toEqual([]);
    } finally {
      alerting.stop();
      await webhook.close();
    }
  }, 60_000);
});

describe('taking over delivery: lost again before history answers (review of c21da2a)', () => {
  const criticalStanding = [
    webRow(1, T0 - 200_000, 'alert.fired', 'InstancesLost (warning): web: 1 of 3 instances lost', 'web-1'),
    webRow(2, T0 - 115_000, 'alert.resolved', 'InstancesLost (warning) resolved: web: 1 of 3 instances lost', 'web-1'),
    webRow(3, T0 - 115_000, 'alert.fired', 'InstancesLost (critical): web: 3 of 3 instances lost'),
  ];
  const warningOnly = [webRow(1, T0 - 115_000, 'alert.fired', 'InstancesLost (warning): web: 2 of 3 instances lost')];
  for (const [recorded, ended] of [
    [warningOnly, 'warning resolved'],
    [criticalStanding, 'critical resolved'],
  ] as const) {
    it(`sends the held resolve (${ended}) before the firing that follows it: the webhook and the rows end firing`, async () => {
      const clock = createManualClock(0);
      let answer!: () => void;
      const replica = await takingOverFrom({ recorded: [...recorded], history: { answersOnce: new Promise<void>((resolve) => (answer = resolve)) }, clock });
      try {
        const recoveredAt = new Date(T0 + 9_000).toISOString();
        replica.at(10_000, ['web-1', 'web-2', 'web-3'].map((id) => ({ ...replica.passing(id), recoveredAt })));
        await settle();
        replica.at(20_000, [replica.lost('web-1', T0 + 19_000), replica.lost('web-2', T0 + 19_000), replica.passing('web-3')]);
        await settle();
        answer();
        await vi.waitFor(() => expect(replica.webhookGot().some((what) => what.startsWith(ended))).toBe(true));
        await settle();
        const got = replica.webhookGot();
        expect(got.filter((what) => what.startsWith(ended))).toHaveLength(1);
        expect(got.findIndex((what) => what.startsWith(ended))).toBeLessThan(got.findIndex((what) => what.startsWith('warning firing')));
        expect(got.at(-1)).toMatch(/^warning firing/);
        const rows = replica.rows();
        expect(rows.at(-1)).toMatch(/alert\.fired .* InstancesLost \(warning\)$/);
        expect(rows.filter((row) => row.includes('alert.resolved'))).toHaveLength(1);
        // Alertmanager holds the warning firing again, judged.
        await vi.waitFor(() => expect(replica.alertmanagerHolds().filter((alert) => alert.startsWith('warning'))).toEqual([`warning - ${new Date(T0 + 19_000).toISOString()} firing`]));
      } finally {
        await replica.stop();
      }
    }, 15_000);
  }
});
