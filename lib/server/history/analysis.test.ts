import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { adjacency } from '@/lib/model/topology/graph';
import { ANALYSIS_PAGE_ROWS, incidentsIn, LAST_STATE_PAGE_PAIRS, lastStateEventsBefore, mergeAscending, serviceUptime, type IncidentsRequest } from './analysis';
import { toHistoryEvent } from './store';
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

    it('counts a failure still going on as down up to the window’s end (now), as the demo’s lost service shows', async () => {
      await record([
        lifecycle(0, 'instance.registered', 'a', 'registered'),
        health(10, 'a', 'passing'),
        { at: iso(40), kind: 'instance.lost', service: 'users', instance: 'a', to: 'critical', detail: 'lease expired after probes failed' },
        lifecycle(41, 'instance.deregistered', 'a', 'lease expired'),
      ]);
      const report = await serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 100 * MIN, buckets: 4 });
      // Passing 10–40, lost (critical) 40 → now: 30 of 90 known minutes up.
      expect(report.uptime).toBeCloseTo(1 / 3, 6);
      expect(report.observedMs).toBe(90 * MIN);
      expect(report.strip).toEqual(['passing', 'critical', 'critical', 'critical']);
    });

    it('runs a storm of identical uptime requests once, each tab’s stamped with its own now, and again once a row is committed', async () => {
      await record([lifecycle(0, 'instance.registered', 'a', 'registered'), health(10, 'a', 'passing')]);
      // Twenty tabs asking on the same row, a millisecond apart (the route stamps each with Date.now()).
      const storm = await Promise.all(Array.from({ length: 20 }, (_, tab) => serviceUptime(history, { service: 'users', fromMs: T0 + tab, toMs: T0 + 100 * MIN + tab, buckets: 4 })));
      expect(new Set(storm).size).toBe(1);
      // Another window or bucket count is another analysis.
      const otherBuckets = serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 100 * MIN, buckets: 5 });
      const otherWindow = serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 50 * MIN, buckets: 4 });
      expect(new Set(await Promise.all([otherBuckets, otherWindow, serviceUptime(history, { service: 'users', fromMs: T0, toMs: T0 + 100 * MIN, buckets: 4 })])).size).toBe(3);
      await record([health(50, 'a', 'critical')]);
      const [afterRow, joined] = await Promise.all([0, 1].map((tab) => serviceUptime(history, { service: 'users', fromMs: T0 + tab, toMs: T0 + 100 * MIN + tab, buckets: 4 })));
      expect(afterRow).toBe(joined);
      expect(afterRow?.strip).toEqual(['passing', 'passing', 'critical', 'critical']);
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
  describe('paging', () => {
    /** Counts turns of the event loop (check phase) until stopped. */
    const countLoopTurns = (): { stop: () => number } => {
      let turns = 0;
      let stopped = false;
      const tick = (): void => {
        if (stopped) return;
        turns += 1;
        setImmediate(tick);
      };
      setImmediate(tick);
      return {
        stop: () => {
          stopped = true;
          return turns;
        },
      };
    };

    it('reads and analyses a page at a time, letting the event loop turn between pages', async () => {
      // Three full pages and a part: 10 instances of 5 services flapping critical/passing a second apart.
      const rows = 3 * ANALYSIS_PAGE_ROWS + 500;
      const events: NewHistoryEvent[] = [];
      for (let i = 0; i < rows; i += 1) {
        events.push({ at: new Date(T0 + i * 1_000).toISOString(), kind: 'health.changed', service: `s${i % 5}`, instance: `i${i % 10}`, to: i % 20 < 10 ? 'critical' : 'passing', detail: 'probe' });
      }
      await record(events);
      const window = { sinceMs: T0, untilMs: T0 + rows * 1_000 };

      let loop = countLoopTurns();
      const paged = await incidentsIn(history, { ...window, limit: 1_000 });
      // One statement and one synchronous derivation would resolve without a single turn (on SQLite).
      expect(loop.stop()).toBeGreaterThanOrEqual(3);
      const single = await incidentsIn(history, { ...window, limit: 1_000, pageRows: rows + 1 });
      expect(paged).toEqual(single);
      expect(paged.incidents.length).toBeGreaterThan(0);

      loop = countLoopTurns();
      const uptime = await serviceUptime(history, { service: 's0', fromMs: window.sinceMs, toMs: window.untilMs, buckets: 10, pageRows: ANALYSIS_PAGE_ROWS / 5 });
      expect(loop.stop()).toBeGreaterThanOrEqual(3);
      expect(uptime).toEqual(await serviceUptime(history, { service: 's0', fromMs: window.sinceMs, toMs: window.untilMs, buckets: 10, pageRows: rows + 1 }));
    });

    it('gives what one query gives, whatever the page size, with instants split across pages and the row cap inside one', async () => {
      // A pseudo-random hour: many events share an instant, so pages end inside instants.
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % n;
      };
      const kinds = ['critical', 'passing', 'passing', 'warning', 'passing', 'registered', 'deregistered', 'lost', 'lost_cleared', 'passing', 'passing'] as const;
      const events: NewHistoryEvent[] = [];
      for (let i = 0; i < 400; i += 1) {
        const at = new Date(T0 - 10 * MIN + random(70) * MIN).toISOString();
        const service = ['web', 'orders', 'inventory'][random(3)] ?? 'web';
        const instance = `${service}-${random(2)}`;
        const kind = kinds[random(kinds.length)];
        if (kind === 'registered' || kind === 'deregistered') events.push({ at, kind: `instance.${kind}`, service, instance, detail: random(2) ? 'lease 5 expired' : 'key deleted' });
        else if (kind === 'lost' || kind === 'lost_cleared') events.push({ at, kind: `instance.${kind}`, service, instance, detail: 'lost' });
        else events.push({ at, kind: 'health.changed', service, instance, to: kind, detail: 'probe' });
      }
      await record(events);
      const graph = adjacency([
        { from: 'web', to: 'orders' },
        { from: 'orders', to: 'inventory' },
      ]);
      const window = { sinceMs: T0, untilMs: T0 + 60 * MIN, limit: 1_000, graph, mergeGapMs: 0 };
      const requests: IncidentsRequest[] = [window, { ...window, service: 'orders' }, { ...window, maxRows: 333 }, { ...window, service: 'web', maxRows: 101 }];
      for (const request of requests) {
        const single = await incidentsIn(history, { ...request, pageRows: 10_000 });
        expect(single.incidents.length).toBeGreaterThan(1);
        expect(single.truncated).toBe(request.maxRows !== undefined);
        for (const pageRows of [1, 7, 50]) expect(await incidentsIn(history, { ...request, pageRows })).toEqual(single);
      }
      for (const maxRows of [undefined, 57]) {
        const request = { service: 'inventory', fromMs: T0, toMs: T0 + 60 * MIN, buckets: 12, ...(maxRows ? { maxRows } : {}) };
        const single = await serviceUptime(history, { ...request, pageRows: 10_000 });
        expect(single.truncated).toBe(maxRows !== undefined);
        for (const pageRows of [1, 7, 50]) expect(await serviceUptime(history, { ...request, pageRows })).toEqual(single);
      }
    });

    it('looks up each instance’s last state before the window a page of instances at a time, letting the event loop turn between pages', async () => {
      // Three pages of instances and a part, all before the window: nothing in it to read in pages.
      const pairs = 3 * LAST_STATE_PAGE_PAIRS + 10;
      const events: NewHistoryEvent[] = [];
      for (let i = 0; i < pairs; i += 1) events.push(health(-60 + (i % 50), `i${i}`, i % 3 === 0 ? 'critical' : 'passing', `s${i % 7}`));
      await record(events);
      const window = { sinceMs: T0, untilMs: T0 + 60 * MIN, limit: 1_000 };

      let loop = countLoopTurns();
      const result = await incidentsIn(history, window);
      // One statement for every instance would resolve without a single turn (on SQLite).
      expect(loop.stop()).toBeGreaterThanOrEqual(3);
      // Failures going on at the window's start are carried in: one open incident per service.
      expect(result.incidents.map((incident) => incident.service).sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
      expect(result.incidents.every((incident) => incident.closedAt === null)).toBe(true);

      const before = await lastStateEventsBefore(history.db, T0, ['s1']);
      expect(before).toHaveLength(Math.ceil((pairs - 1) / 7));
      loop = countLoopTurns();
      expect(await lastStateEventsBefore(history.db, T0, ['s1'], 10)).toEqual(before);
      expect(loop.stop()).toBeGreaterThanOrEqual(Math.floor(before.length / 10));
    });

    it('finds each instance’s last state before the window as one ranking statement does, whatever the page', async () => {
      let seed = 3;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return Math.floor(seed / 65_536) % n;
      };
      const events: NewHistoryEvent[] = [];
      for (let i = 0; i < 600; i += 1) {
        const at = iso(-90 + random(120));
        const service = ['web', 'orders', 'inventory', 'b\u00e9ta', 'Web'][random(5)] ?? 'web';
        // Instance names shared between services, and differing in case only.
        const instance = ['a', 'b', 'B', 'c-1', 'c-10', 'c-2'][random(6)] ?? 'a';
        const pick = random(9);
        if (pick < 4) events.push(health(0, instance, ['critical', 'passing', 'warning'][random(3)] ?? 'passing', service));
        else if (pick === 4) events.push(lifecycle(0, random(2) ? 'instance.registered' : 'instance.deregistered', instance, 'lease 5 expired', service));
        else if (pick === 5) events.push({ at, kind: random(2) ? 'instance.lost' : 'instance.lost_cleared', service, instance, detail: 'lost' });
        // Other kinds of an instance, which are not its state.
        else if (pick === 6) events.push({ at, kind: random(2) ? 'instance.drained' : 'instance.undrained', service, instance, detail: 'drain' });
        else if (pick === 7) events.push({ at, kind: 'alert.fired', service, detail: 'no instance' });
        else events.push({ at, kind: 'health.changed', instance, to: 'critical', detail: 'no service: no analysis uses it' });
        const last = events.at(-1);
        if (last && pick < 5) last.at = at;
      }
      await record(events);
      /** The one statement this replaces: rank each (service, instance)'s state events before `beforeMs`, keep the first. */
      const ranked = async (beforeMs: number, services: readonly string[] | undefined) => {
        let inner = history.db
          .selectFrom('events')
          .selectAll()
          .select((eb) => eb.fn.agg<number>('row_number').over((over) => over.partitionBy(['service', 'instance']).orderBy('at_ms', 'desc').orderBy('id', 'desc')).as('recency'))
          .where('kind', 'in', ['health.changed', 'instance.registered', 'instance.deregistered', 'instance.lost', 'instance.lost_cleared'])
          .where('at_ms', '<', beforeMs)
          .where('instance', 'is not', null)
          .where('service', 'is not', null);
        if (services !== undefined) inner = inner.where('service', 'in', services);
        const rows = await history.db.selectFrom(inner.as('ranked')).selectAll().where('recency', '=', 1).orderBy('at_ms', 'asc').orderBy('id', 'asc').execute();
        return rows.map(({ recency: _recency, ...row }) => toHistoryEvent(row));
      };
      for (const beforeMinute of [-60, 0, 40]) {
        for (const services of [undefined, ['orders'], ['web', 'b\u00e9ta', 'nobody', 'web']]) {
          const expected = await ranked(T0 + beforeMinute * MIN, services);
          expect(expected.length).toBeGreaterThanOrEqual(5);
          for (const pagePairs of [1, 7, LAST_STATE_PAGE_PAIRS]) expect(await lastStateEventsBefore(history.db, T0 + beforeMinute * MIN, services, pagePairs)).toEqual(expected);
        }
      }
    });

    it('answers analyses asked at once, identical or not, as it answers each alone', async () => {
      await record([health(1, 'a', 'critical'), health(5, 'a', 'passing'), health(20, 'b', 'critical', 'orders')]);
      const request = { sinceMs: T0, untilMs: T0 + 60 * MIN, limit: 10, pageRows: 1 };
      const alone = [await incidentsIn(history, request), await incidentsIn(history, { ...request, service: 'orders' })];
      const together = await Promise.all([incidentsIn(history, request), incidentsIn(history, request), incidentsIn(history, { ...request, service: 'orders' })]);
      expect(together).toEqual([alone[0], alone[0], alone[1]]);
    });
  });
});

describe('mergeAscending', () => {
  it('interleaves by time, then id', () => {
    const event = (id: number, minute: number) => ({ id, at: iso(minute), kind: 'history.gap' as const, detail: '' });
    expect(mergeAscending([event(1, 0), event(4, 5)], [event(2, 0), event(3, 3)]).map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });
});
