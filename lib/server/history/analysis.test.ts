import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { adjacency } from '@/lib/model/topology/graph';
import { incidentsIn, mergeAscending, serviceUptime } from './analysis';
import { openHistory, type History } from './store';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const MIN = 60_000;
const iso = (minute: number): string => new Date(T0 + minute * MIN).toISOString();

let history: History;

const health = (minute: number, instance: string, to: string, service = 'users'): NewHistoryEvent => ({ at: iso(minute), kind: 'health.changed', service, instance, to, detail: 'probe' });
const lifecycle = (minute: number, kind: 'instance.registered' | 'instance.deregistered', instance: string, detail: string, service = 'users'): NewHistoryEvent => ({
  at: iso(minute),
  kind,
  service,
  instance,
  detail,
});
const record = async (events: NewHistoryEvent[]): Promise<void> => {
  for (const event of events) history.append(event);
  await history.flush();
};

describe.each(STORE_DIALECTS)('history analysis on %s', (dialect) => {
  const testStore = useTestStore(dialect);
  beforeEach(async () => {
    history = await openHistory({ ...(await testStore.fresh()), flushMs: 5 });
  });
  afterEach(async () => {
    await history.close().catch(() => undefined);
  });

  describe('serviceUptime', () => {
    it('starts from each instance’s status before the window, excludes gaps, and fills the strips', async () => {
      await record([
        lifecycle(-120, 'instance.registered', 'a', 'registered'),
        health(-110, 'a', 'critical'), // a is failing when the window opens
        lifecycle(-100, 'instance.registered', 'gone', 'registered'),
        lifecycle(-90, 'instance.deregistered', 'gone', 'key deleted'), // not part of the window at all
        health(20, 'a', 'passing'),
        { at: iso(40), kind: 'history.gap', detail: 'Switchyard was not running', until: iso(60) },
        lifecycle(50, 'instance.registered', 'b', 'registered while Switchyard was not watching'),
        health(60, 'b', 'passing'),
        health(70, 'a', 'critical', 'orders'), // another service: ignored
        health(100, 'a', 'critical'), // at the window end: outside
      ]);
      const report = await serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 100 * MIN, buckets: 5 });
      // a: critical 0–20, passing 20–40, gap 40–60, passing 60–100 → 1 − 20/80.
      expect(report.instances.map((i) => i.id)).toEqual(['a', 'b']);
      expect(report.instances[0]).toEqual({ id: 'a', uptime: 0.75, strip: ['critical', 'passing', 'none', 'passing', 'passing'] });
      expect(report.instances[1]).toEqual({ id: 'b', uptime: 1, strip: ['none', 'none', 'none', 'passing', 'passing'] });
      expect(report.uptime).toBe(0.75);
      // The figure rests on 80 of the window's 100 minutes (the gap is not known time).
      expect(report.observedMs).toBe(80 * MIN);
      expect(report.strip).toEqual(['critical', 'passing', 'none', 'passing', 'passing']);
      expect(report).toMatchObject({ service: 'users', window: { from: iso(0), to: iso(100), bucketMs: 20 * MIN }, truncated: false, coveredUntil: iso(100) });
    });

    it('knows nothing about a service with no history', async () => {
      const report = await serviceUptime(history, { service: 'nobody', fromMs: T0, toMs: T0 + 10 * MIN, buckets: 2 });
      expect(report).toMatchObject({ uptime: null, observedMs: 0, strip: ['none', 'none'], instances: [] });
    });
  });

  describe('incidentsIn', () => {
    it('finds incidents newest first, carries a failure in from before the window, and computes MTTR', async () => {
      await record([
        health(-30, 'a', 'critical'), // still failing at since
        health(10, 'a', 'passing'),
        lifecycle(60, 'instance.deregistered', 'b', 'lease 77 expired'),
        health(80, 'c', 'critical'),
        health(85, 'x', 'critical', 'orders'),
        health(90, 'x', 'passing', 'orders'),
        health(-200, 'old', 'critical'),
        health(-190, 'old', 'passing'), // closed long before the window
      ]);
      const result = await incidentsIn(history, { sinceMs: T0, untilMs: T0 + 100 * MIN, limit: 10 });
      expect(result.incidents.map((i) => [i.service, i.openedAt, i.closedAt])).toEqual([
        ['orders', iso(85), iso(90)],
        ['users', iso(80), null],
        ['users', iso(60), iso(60)],
        ['users', iso(-30), iso(10)],
      ]);
      expect(result.mttrMs).toEqual({ users: 20 * MIN, orders: 5 * MIN });
      expect(result.truncated).toBe(false);

      const page = await incidentsIn(history, { service: 'users', sinceMs: T0, untilMs: T0 + 100 * MIN, limit: 1 });
      expect(page.incidents.map((i) => i.openedAt)).toEqual([iso(80)]);
      expect(page.mttrMs).toEqual({ users: 20 * MIN });

      const quiet = await incidentsIn(history, { service: 'billing', sinceMs: T0, untilMs: T0 + 100 * MIN, limit: 10 });
      expect(quiet).toEqual({ incidents: [], mttrMs: { billing: null }, truncated: false });
    });

    it('carries a warning standing at the window start in as the first sign of an incident opening in it', async () => {
      await record([
        health(-3, 'b', 'warning'), // standing at since
        health(-20, 'c', 'warning'),
        health(-19, 'c', 'passing'), // over before the window
        health(2, 'a', 'critical'),
      ]);
      const result = await incidentsIn(history, { sinceMs: T0, untilMs: T0 + 10 * MIN, limit: 10 });
      expect(result.incidents.map((i) => [i.openedAt, i.firstSign])).toEqual([[iso(2), { at: iso(-3), instance: 'b', cause: 'probe' }]]);
    });

    it('names the incident upstream of each, also for one service asked alone', async () => {
      await record([health(-1, 'i1', 'critical', 'inventory'), health(2, 'o1', 'critical', 'orders'), health(3, 'b1', 'critical', 'billing'), health(4, 'i1', 'passing', 'inventory')]);
      const graph = adjacency([
        { from: 'orders', to: 'inventory' },
        { from: 'billing', to: 'ledger' },
      ]);
      const all = await incidentsIn(history, { sinceMs: T0, untilMs: T0 + 10 * MIN, limit: 10, graph });
      expect(all.incidents.map((i) => [i.service, i.upstream?.service ?? null])).toEqual([
        ['billing', null],
        ['orders', 'inventory'],
        ['inventory', null],
      ]);
      // Asked for orders alone, inventory's incident (carried in from before the window) is still read, but not listed.
      const orders = await incidentsIn(history, { service: 'orders', sinceMs: T0, untilMs: T0 + 10 * MIN, limit: 10, graph });
      expect(orders.incidents.map((i) => [i.service, i.upstream])).toEqual([['orders', { service: 'inventory', id: all.incidents[2]?.id, openedAt: iso(-1) }]]);
      expect(orders.mttrMs).toEqual({ orders: null });
    });

    it('names a quiet service called like an Object.prototype member in its MTTR', async () => {
      for (const service of ['constructor', 'toString', '__proto__']) {
        const quiet = await incidentsIn(history, { service, sinceMs: T0, untilMs: T0 + 100 * MIN, limit: 10 });
        expect(Object.entries(quiet.mttrMs)).toEqual([[service, null]]);
        expect(JSON.stringify(quiet.mttrMs)).toBe(`{"${service}":null}`);
      }
    });
  });

  describe('row cap', () => {
    it('analyses only up to the first event left out, and says so', async () => {
      await record([health(0, 'a', 'passing'), health(10, 'a', 'critical'), health(20, 'a', 'passing'), health(30, 'a', 'critical'), health(30, 'b', 'critical')]);
      const report = await serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 100 * MIN, buckets: 4, maxRows: 4 });
      // Rows at minute 30 are partly beyond the cap, so everything from minute 30 on is left out.
      expect(report).toMatchObject({ truncated: true, coveredUntil: iso(30), uptime: expect.closeTo(2 / 3, 9), strip: ['critical', 'passing', 'none', 'none'] });
      const incidents = await incidentsIn(history, { sinceMs: T0, untilMs: T0 + 100 * MIN, limit: 10, maxRows: 4 });
      expect(incidents.truncated).toBe(true);
      expect(incidents.incidents.map((i) => [i.openedAt, i.closedAt])).toEqual([[iso(10), iso(20)]]);
    });
  });
});

describe('mergeAscending', () => {
  it('interleaves by time, then id', () => {
    const event = (id: number, minute: number) => ({ id, at: iso(minute), kind: 'history.gap' as const, detail: '' });
    expect(mergeAscending([event(1, 0), event(4, 5)], [event(2, 0), event(3, 3)]).map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });
});
