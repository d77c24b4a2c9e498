import { describe, expect, it } from 'vitest';
import type { EventQuery, HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { createLeaderHistory } from './leader-history';

/** A membership whose leadership the test turns, and a history in memory answering the catch-up's lookups (counted). */
function setup(recorded: Omit<HistoryEvent, 'id'>[]) {
  let leads = false;
  const listeners = new Set<() => void>();
  const appended: NewHistoryEvent[] = [];
  const rows: HistoryEvent[] = recorded.map((event, index) => ({ ...event, id: index + 1 }));
  /** Instances each lookup asked about. */
  const lookups: number[] = [];
  const newestFirst = (a: HistoryEvent, b: HistoryEvent): number => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id;
  const leaderHistory = createLeaderHistory({
    membership: {
      isLeader: () => leads,
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    history: {
      append: (event) => appended.push(event),
      // What the previous code asked, one instance a query.
      query: (query: EventQuery) => {
        lookups.push(1);
        const found = rows.filter((row) => row.service === query.service && row.instance === query.instance && (query.kind ?? []).includes(row.kind)).sort(newestFirst);
        return Promise.resolve({ events: found.slice(0, query.limit), nextCursor: null });
      },
      latestPerInstance: (instances, kinds) => {
        lookups.push(instances.length);
        const latest = instances.flatMap(({ service, instance }) => rows.filter((row) => row.service === service && row.instance === instance && kinds.includes(row.kind)).sort(newestFirst).slice(0, 1));
        return Promise.resolve(latest);
      },
    } as Parameters<typeof createLeaderHistory>[0]['history'],
    log: () => undefined,
  });
  const lead = async (): Promise<void> => {
    leads = true;
    for (const listener of listeners) listener();
    // The catch-up's lookups answer from memory: a few turns of the event loop see it through.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return { leaderHistory, appended, lead, lookups };
}

const change = (instance: string, from: string, to: string, at: string): NewHistoryEvent => ({ at, kind: 'health.changed', service: 'pay', instance, from, to, detail: `${to} now` });

describe('leader history', () => {
  it('on becoming leader, writes the last change per instance the history does not already say, nothing the old leader wrote', async () => {
    const { leaderHistory, appended, lead } = setup([
      change('p-1', 'passing', 'critical', '2026-12-06T10:00:00.000Z'),
      { at: '2026-12-06T10:00:01.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-3', detail: 'lease expired' },
    ]);
    // Seen while another replica led: p-1 critical (written by it), p-2 critical then passing (not written), p-3 lost (written), p-4 lost and back (not written).
    leaderHistory.append(change('p-1', 'passing', 'critical', '2026-12-06T10:00:00.100Z'));
    leaderHistory.append(change('p-2', 'passing', 'critical', '2026-12-06T10:00:02.000Z'));
    leaderHistory.append(change('p-2', 'critical', 'passing', '2026-12-06T10:00:05.000Z'));
    leaderHistory.append({ at: '2026-12-06T10:00:01.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-3', detail: 'lease expired' });
    leaderHistory.append({ at: '2026-12-06T10:00:03.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-4', detail: 'lease expired' });
    leaderHistory.append({ at: '2026-12-06T10:00:04.000Z', kind: 'instance.lost_cleared', service: 'pay', instance: 'p-4', detail: 'registered again' });
    expect(appended).toEqual([]);
    await lead();
    expect(appended.map((event) => `${event.instance} ${event.kind} ${event.to ?? ''}`.trim())).toEqual(['p-2 health.changed passing', 'p-4 instance.lost_cleared']);
    // Leading, it writes at once.
    leaderHistory.append(change('p-1', 'critical', 'passing', '2026-12-06T10:00:09.000Z'));
    expect(appended).toHaveLength(3);
    leaderHistory.stop();
  });

  it('writes nothing under a later row the previous leader wrote: a change this replica saw late, or the one before what it missed, is not put back in the middle', async () => {
    const { leaderHistory, appended, lead } = setup([
      change('p-5', 'passing', 'critical', '2026-12-06T10:00:00.000Z'),
      change('p-5', 'critical', 'passing', '2026-12-06T10:00:04.000Z'),
      { at: '2026-12-06T10:00:01.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-6', detail: 'lease expired' },
      { at: '2026-12-06T10:00:06.000Z', kind: 'instance.lost_cleared', service: 'pay', instance: 'p-6', detail: 'registered again' },
      change('p-7', 'passing', 'critical', '2026-12-06T10:00:00.000Z'),
    ]);
    // This replica's last word on p-5 is its failure (its probes' verdict came later than the leader's
    // recovery row), on p-6 the loss (the return came after it stopped following): both older than
    // the history's latest row, and different from it. p-7's recovery it saw after the leader died.
    leaderHistory.append(change('p-5', 'passing', 'critical', '2026-12-06T10:00:00.200Z'));
    leaderHistory.append({ at: '2026-12-06T10:00:01.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-6', detail: 'lease expired' });
    leaderHistory.append(change('p-7', 'critical', 'passing', '2026-12-06T10:00:09.000Z'));
    await lead();
    // Before: p-5's failure and p-6's loss were written again, dated before the rows that followed them.
    expect(appended.map((event) => `${event.instance} ${event.kind} ${event.to ?? ''}`.trim())).toEqual(['p-7 health.changed passing']);
    leaderHistory.stop();
  });

  it('keeps a failure nobody wrote when the new leader records the recovery before the lookup reads the history', async () => {
    // A history committing appends within 50 ms (its flush) and answering a lookup 120 ms later (a busy database at takeover).
    let leads = false;
    const listeners = new Set<() => void>();
    const rows: HistoryEvent[] = [{ ...change('x', 'critical', 'passing', '2026-12-06T09:00:00.000Z'), id: 1 }];
    const written: NewHistoryEvent[] = [];
    const newestFirst = (a: HistoryEvent, b: HistoryEvent): number => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id;
    const leaderHistory = createLeaderHistory({
      membership: { isLeader: () => leads, onChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)) },
      history: {
        append: (event) => {
          written.push(event);
          setTimeout(() => rows.push({ ...event, id: rows.length + 1 }), 50);
        },
        latestPerInstance: (instances, kinds) =>
          new Promise((resolve) =>
            setTimeout(() => resolve(instances.flatMap(({ service, instance }) => rows.filter((row) => row.service === service && row.instance === instance && kinds.includes(row.kind)).sort(newestFirst).slice(0, 1))), 120),
          ),
      },
      log: () => undefined,
    });
    // Seen while the old leader (killed) led, never written: x went critical.
    leaderHistory.append(change('x', 'passing', 'critical', '2026-12-06T10:00:05.000Z'));
    leads = true;
    for (const listener of listeners) listener();
    // 10 ms after the takeover x recovers; the leader records it.
    await new Promise((resolve) => setTimeout(resolve, 10));
    leaderHistory.append(change('x', 'critical', 'passing', '2026-12-06T10:00:06.000Z'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Before: only the recovery (committed before the lookup ran, it was taken for a later row and the failure dropped).
    expect(written.map((event) => `${event.instance} ${event.to} ${event.at}`)).toEqual(['x critical 2026-12-06T10:00:05.000Z', 'x passing 2026-12-06T10:00:06.000Z']);
    leaderHistory.stop();
  });

  it('tells apart instances whose service and id differ only by where a space falls', async () => {
    const { leaderHistory, appended, lead } = setup([]);
    leaderHistory.append({ ...change('c', 'passing', 'critical', '2026-12-06T10:00:00.000Z'), service: 'a b' });
    leaderHistory.append({ ...change('b c', 'passing', 'critical', '2026-12-06T10:00:01.000Z'), service: 'a' });
    await lead();
    // Before: one key for both ("health.changed a b c"), the first forgotten.
    expect(appended.map((event) => [event.service, event.instance])).toEqual([
      ['a b', 'c'],
      ['a', 'b c'],
    ]);
    leaderHistory.stop();
  });

  it('looks up the history for a takeover in one query per chunk of instances, not one per instance', async () => {
    const { leaderHistory, appended, lead, lookups } = setup([]);
    for (let i = 0; i < 1_200; i += 1) leaderHistory.append(change(`p-${i}`, 'passing', 'critical', '2026-12-06T10:00:00.000Z'));
    leaderHistory.append({ at: '2026-12-06T10:00:03.000Z', kind: 'instance.lost', service: 'pay', instance: 'p-0', detail: 'lease expired' });
    await lead();
    expect(appended).toHaveLength(1_201);
    // 1,200 health changes in chunks of 1,000, the one loss in its own family's query; before, 1,201 queries in a row.
    expect(lookups).toEqual([1_000, 200, 1]);
    leaderHistory.stop();
  });
});
