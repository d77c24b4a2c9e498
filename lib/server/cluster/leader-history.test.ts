import { describe, expect, it } from 'vitest';
import type { EventQuery, HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { createLeaderHistory } from './leader-history';

/** A membership whose leadership the test turns, and a history in memory answering the catch-up's lookups. */
function setup(recorded: Omit<HistoryEvent, 'id'>[]) {
  let leads = false;
  const listeners = new Set<() => void>();
  const appended: NewHistoryEvent[] = [];
  const rows: HistoryEvent[] = recorded.map((event, index) => ({ ...event, id: index + 1 }));
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
      query: (query: EventQuery) => {
        const found = rows.filter((row) => row.service === query.service && row.instance === query.instance && (query.kind ?? []).includes(row.kind)).reverse();
        return Promise.resolve({ events: found.slice(0, query.limit), nextCursor: null });
      },
    },
    log: () => undefined,
  });
  const lead = async (): Promise<void> => {
    leads = true;
    for (const listener of listeners) listener();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { leaderHistory, appended, lead };
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
});
