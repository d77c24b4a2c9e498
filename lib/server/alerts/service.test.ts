import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { AlertRulesSchema } from '@/lib/model/alerts/rules';
import type { Silence, SilenceRequest } from '@/lib/model/alerts/silences';
import type { NewHistoryEvent } from '@/lib/model/events';
import { toService } from '@/lib/model/state';
import { createManualClock } from '@/tests/support/manual-clock';
import { createAlerting } from './service';
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
      return Promise.resolve(silence);
    },
    find: (id: string) => Promise.resolve(rows.find((silence) => silence.id === id)),
    end: () => Promise.resolve(undefined),
  };
  return { store, answerReads: () => reads.splice(0).forEach((answer) => answer()) };
}

function alertingFor(options: { store: SilenceStore; events: NewHistoryEvent[]; now: () => number; delivers?: () => boolean }) {
  return createAlerting({
    snapshot: () => ({ services: [toService('web', new Map([[failing.key, failing]]))], registry: { state: 'synced', since: new Date(T0).toISOString() } }),
    edges: () => [],
    rules: AlertRulesSchema.parse({ defaults: { criticalForSeconds: 1 } }),
    publicUrl: 'http://sy',
    alertmanagerUrls: [],
    webhook: undefined,
    evaluationMs: 1_000,
    resendMs: 60_000,
    timeoutMs: 1_000,
    queueSize: 10,
    record: (event) => options.events.push(event),
    silences: options.store,
    metrics: new Registry(),
    log: () => undefined,
    clock: createManualClock(0),
    now: options.now,
    ...(options.delivers ? { delivers: options.delivers } : {}),
  });
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
