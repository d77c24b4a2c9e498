import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { AlertRulesSchema } from '@/lib/model/alerts/rules';
import { summaryOfService } from '@/lib/model/service-summary';
import { toService } from '@/lib/model/state';
import { startReceiver } from '@/tests/support/alertmanager';
import { lostOrPassing } from '@/tests/support/lost-instance';
import { createManualClock } from '@/tests/support/manual-clock';
import { createAlerting } from './service';

/** How often the service asked its engine for copies of every alert (each builds them all afresh). */
const engineReads = vi.hoisted(() => ({ alerts: 0, recentlyResolved: 0 }));
vi.mock('@/lib/model/alerts/engine', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/model/alerts/engine')>();
  return {
    ...actual,
    createAlertEngine: (...args: Parameters<typeof actual.createAlertEngine>) => {
      const engine = actual.createAlertEngine(...args);
      return {
        ...engine,
        alerts: () => {
          engineReads.alerts += 1;
          return engine.alerts();
        },
        recentlyResolved: () => {
          engineReads.recentlyResolved += 1;
          return engine.recentlyResolved();
        },
      };
    },
  };
});

const T0 = Date.parse('2026-12-03T09:00:00Z');
const SERVICES = 1_000;

/** One instance of a service: passing, or lost (its key gone from etcd two minutes ago). */
const instance = (service: string, id: string, lost: boolean): Instance => lostOrPassing(service, id, lost, T0, { passingBefore: 2 });

describe('what Alertmanager is sent, at scale', () => {
  it(`reads the engine's alerts a fixed number of times per evaluation and post, not once per alert (${SERVICES} InstancesLost warnings posted firing)`, async () => {
    const services = Array.from({ length: SERVICES }, (_, i) => toService(`s${i}`, new Map([instance(`s${i}`, 'a', true), instance(`s${i}`, 'b', false)].map((one) => [one.key, one]))));
    const summaries = { services: services.map(summaryOfService) };
    const alertmanager = await startReceiver();
    const alerting = createAlerting({
      fleet: { summarySnapshot: () => summaries, serviceSnapshot: (name) => ({ instances: services.find((service) => service.name === name)?.instances ?? [] }), registryStatus: () => ({ state: 'synced', since: new Date(T0).toISOString() }) },
      edges: () => [],
      rules: AlertRulesSchema.parse({}),
      publicUrl: 'http://switchyard.example',
      alertmanagerUrls: [alertmanager.url],
      webhook: undefined,
      evaluationMs: 1_000,
      resendMs: 60_000,
      timeoutMs: 60_000,
      queueSize: 10,
      record: () => undefined,
      silences: { active: () => Promise.resolve([]), create: () => Promise.reject(new Error('not here')), find: () => Promise.resolve(undefined), end: () => Promise.resolve(undefined) },
      acks: { active: () => Promise.resolve([]), create: () => Promise.resolve(undefined), find: () => Promise.resolve(undefined), end: () => Promise.resolve(undefined), owned: () => Promise.resolve(new Set<string>()) },
      installId: () => Promise.resolve('00000000-0000-4000-8000-000000000001'),
      metrics: new Registry(),
      log: () => undefined,
      clock: createManualClock(0),
      now: () => T0,
    });
    try {
      engineReads.alerts = 0;
      engineReads.recentlyResolved = 0;
      // The evaluation that fires them all nudges the post, which builds Alertmanager's state from them.
      expect(alerting.evaluate()).toHaveLength(SERVICES);
      // Posted in batches: every warning, once.
      const posted = () => alertmanager.posts.flatMap((post) => (post.body === '' ? [] : (JSON.parse(post.body) as { labels: { severity: string } }[])));
      await vi.waitFor(() => expect(posted().filter((alert) => alert.labels.severity === 'warning')).toHaveLength(SERVICES), { timeout: 30_000 });
      // Before the fix the clean-up of postedFiring asked once per alert it had posted: over 2 × 1,000.
      expect(engineReads.alerts).toBeLessThanOrEqual(10);
      expect(engineReads.recentlyResolved).toBeLessThanOrEqual(10);
    } finally {
      alerting.stop();
      await alertmanager.close();
    }
  }, 60_000);
});
