import { describe, expect, it } from 'vitest';
import { GONE_UNWATCHED, PRESENT_AT_START, type HistoryEvent } from './events';
import { MAX_TAIL, MIN_TAIL } from './middle-ellipsis';
import { instanceTails, summarizeGroup, timelineCount, timelineEntries } from './timeline-entries';

let nextId = 100;
const at = (second: number): string => new Date(Date.UTC(2026, 11, 5, 17, 2, second)).toISOString();
const firstPass = (service: string, instance: string, second: number): HistoryEvent => ({
  id: (nextId -= 1), at: at(second), kind: 'health.changed', service, instance, from: 'unknown', to: 'passing', detail: 'probe OK',
});
const event = (patch: Partial<HistoryEvent>, second: number): HistoryEvent => ({ id: (nextId -= 1), at: at(second), kind: 'instance.registered', detail: '', ...patch });
const shape = (entries: ReturnType<typeof timelineEntries>): string[] =>
  entries.map((entry) => (entry.type === 'group' ? `group(${entry.events.length}${entry.open ? ', open' : ''})` : `${entry.group ? '  ' : ''}${entry.event.kind}${entry.event.from ? ` ${entry.event.from}→${entry.event.to}` : ''}`));

describe('timelineEntries', () => {
  it('folds a run of three or more first passes into one line, and leaves shorter runs and everything else as they are', () => {
    const events = [
      event({ kind: 'auth.login' }, 30),
      firstPass('orders', 'o-1', 20),
      firstPass('orders', 'o-2', 19),
      firstPass('users', 'u-1', 18),
      event({ kind: 'health.changed', service: 'orders', instance: 'o-3', from: 'critical', to: 'passing' }, 17),
      firstPass('orders', 'o-4', 16),
      firstPass('orders', 'o-5', 15),
      event({ kind: 'health.changed', service: 'orders', instance: 'o-5', from: 'unknown', to: 'critical' }, 14),
    ];
    expect(shape(timelineEntries(events, new Set()))).toEqual([
      'auth.login',
      'group(3)',
      'health.changed critical→passing',
      'health.changed unknown→passing',
      'health.changed unknown→passing',
      'health.changed unknown→critical',
    ]);
  });

  it('lists an open group\'s events under it, and keeps the group\'s key while newer first passes join it', () => {
    const older = [firstPass('a', 'a-1', 10), firstPass('a', 'a-2', 9), firstPass('a', 'a-3', 8)];
    const [group] = timelineEntries(older, new Set());
    if (group?.type !== 'group') throw new Error('expected a group');
    const open = new Set([group.key]);
    const grown = timelineEntries([firstPass('b', 'b-1', 11), ...older], open);
    expect(shape(grown)).toEqual(['group(4, open)', ...Array.from({ length: 4 }, () => '  health.changed unknown→passing')]);
    expect(grown[0]).toMatchObject({ type: 'group', key: group.key });
  });

  it('folds a relist\u2019s deregistrations of instances gone while not watching, apart from first passes and other deregistrations', () => {
    const gone = (instance: string, second: number): HistoryEvent => event({ kind: 'instance.deregistered', service: 'orders', instance, detail: GONE_UNWATCHED }, second);
    const events = [
      firstPass('orders', 'o-7', 40),
      firstPass('orders', 'o-8', 39),
      firstPass('orders', 'o-9', 38),
      gone('o-1', 30),
      gone('o-2', 30),
      gone('o-3', 30),
      event({ kind: 'instance.deregistered', service: 'orders', instance: 'o-4', detail: 'key deleted' }, 29),
      gone('o-5', 28),
      gone('o-6', 28),
    ];
    const entries = timelineEntries(events, new Set());
    expect(shape(entries)).toEqual(['group(3)', 'group(3)', 'instance.deregistered', 'instance.deregistered', 'instance.deregistered']);
    expect(entries.map((entry) => (entry.type === 'group' ? entry.fold : undefined))).toEqual(['first-pass', 'gone-unwatched', undefined, undefined, undefined]);
    expect(entries[1]).toMatchObject({ key: `gone-unwatched:${events[5]?.id}` });
  });

  it('folds the registrations of Switchyard\u2019s first list, and not registrations seen as they happened', () => {
    const found = (instance: string): HistoryEvent => event({ service: 'users', instance, detail: `${PRESENT_AT_START} (created at revision 7)` }, 10);
    const events = [event({ service: 'users', instance: 'u-9', detail: 'lease 1 granted' }, 20), found('u-1'), found('u-2'), found('u-3'), found('u-4')];
    const entries = timelineEntries(events, new Set());
    expect(shape(entries)).toEqual(['instance.registered', 'group(4)']);
    expect(entries[1]).toMatchObject({ fold: 'present-at-start' });
  });

  it('is every event once, in order, whichever groups are open', () => {
    const events = [firstPass('a', '1', 9), firstPass('a', '2', 8), firstPass('a', '3', 7), event({}, 6), firstPass('a', '4', 5)];
    const closed = timelineEntries(events, new Set());
    const keys = closed.flatMap((entry) => (entry.type === 'group' ? [entry.key] : []));
    const opened = timelineEntries(events, new Set(keys));
    expect(opened.flatMap((entry) => (entry.type === 'event' ? [entry.event.id] : []))).toEqual(events.map((e) => e.id));
    expect(closed.flatMap((entry) => (entry.type === 'event' ? [entry.event] : entry.events)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});

describe('summarizeGroup', () => {
  it('counts distinct instances and services and gives the span', () => {
    expect(summarizeGroup([firstPass('a', '1', 9), firstPass('b', '1', 8), firstPass('a', '2', 7)])).toEqual({ instances: 3, services: 2, newest: at(9), oldest: at(7) });
    expect(summarizeGroup([firstPass('a', '1', 9), firstPass('a', '2', 8), firstPass('a', '1', 7)])).toEqual({ instances: 2, service: 'a', services: 1, newest: at(9), oldest: at(7) });
  });
});

describe('timelineCount (what the timeline’s last line says it holds)', () => {
  it('counts events alone when every event is a line of its own', () => {
    const events = [event({ kind: 'instance.lost' }, 3), event({ kind: 'instance.deregistered' }, 2)];
    expect(timelineCount(events.length, timelineEntries(events, new Set()))).toBe('2 events');
    expect(timelineCount(1, timelineEntries(events.slice(0, 1), new Set()))).toBe('1 event');
  });

  it('says how many of the events are grouped, and into how many rows, and that an open group lists its events', () => {
    // '1,202 events in 3 lines' left an on-call reader to work out where 1,199 events went; once the group was
    // opened, '1,200 grouped into 1 row' under 1,200 rows listed one by one said they were still out of sight.
    const run = Array.from({ length: 1_200 }, (_, index) => firstPass('api', `api-${index}`, 1));
    const events = [event({ kind: 'instance.lost', service: 'payments' }, 5), ...run, event({ kind: 'auth.login' }, 0)];
    const closed = timelineEntries(events, new Set());
    expect(timelineCount(events.length, closed)).toBe('1,202 events · 1,200 grouped into 1 row');
    const key = closed.find((entry) => entry.type === 'group')?.key ?? '';
    expect(timelineCount(events.length, timelineEntries(events, new Set([key])))).toBe('1,202 events · 1,200 grouped into 1 row, open');
  });

  it('says how many of the group rows are open when some are', () => {
    const runA = Array.from({ length: 40 }, (_, index) => firstPass('api', `api-${index}`, 9));
    const runB = Array.from({ length: 24 }, (_, index) => firstPass('payments', `payments-${index}`, 3));
    const others = (at: number) => Array.from({ length: 7 }, () => event({ kind: 'instance.lost', service: 'payments' }, at));
    const events = [...others(10), ...runA, ...others(5), ...runB];
    const keys = timelineEntries(events, new Set()).flatMap((entry) => (entry.type === 'group' ? [entry.key] : []));
    expect(timelineCount(events.length, timelineEntries(events, new Set(keys.slice(0, 1))))).toBe('78 events · 64 grouped into 2 rows, 1 open');
    expect(timelineCount(events.length, timelineEntries(events, new Set(keys)))).toBe('78 events · 64 grouped into 2 rows, all open');
  });

  it('adds up every group: 78 events, 64 of them in two runs of first passes', () => {
    const runA = Array.from({ length: 40 }, (_, index) => firstPass('api', `api-${index}`, 9));
    const runB = Array.from({ length: 24 }, (_, index) => firstPass('payments', `payments-${index}`, 3));
    const others = (at: number) => Array.from({ length: 7 }, () => event({ kind: 'instance.lost', service: 'payments' }, at));
    const events = [...others(10), ...runA, ...others(5), ...runB];
    expect(timelineCount(events.length, timelineEntries(events, new Set()))).toBe('78 events · 64 grouped into 2 rows');
  });
});

describe('instanceTails (how much of an instance id\'s end a row keeps when cut in its middle)', () => {
  const health = (service: string, instance: string) => event({ kind: 'health.changed', service, instance, from: 'passing', to: 'critical' }, 1);

  it('keeps as much of its end as tells the service\'s ids in the loaded events apart: two addresses on one port differ in the host', () => {
    // With a fixed MIN_TAIL both kept ':20880' and a phone drew '10.0.…:20880' twice.
    const events = [health('payments', '10.0.1.12:20880'), health('payments', '10.0.2.12:20880'), event({ kind: 'instance.lost', service: 'payments', instance: '10.0.1.12:20880' }, 0)];
    const tail = instanceTails(events).get('payments') ?? 0;
    expect(tail).toBe('1.12:20880'.length);
    expect(new Set(['10.0.1.12:20880', '10.0.2.12:20880'].map((id) => id.slice(-tail))).size).toBe(2);
  });

  it('tells apart the ids of a service, not of every service: a row names its service beside its instance', () => {
    // users' addresses differ 10 characters from their end; orders' ids, told apart by their last, keep MIN_TAIL.
    const events = [
      health('orders', 'orders-7d9f-1'),
      health('orders', 'orders-7d9f-2'),
      health('users', '10.0.1.12:20880'),
      health('users', '10.0.2.12:20880'),
      health('auth', '10.0.1.12:20880'),
    ];
    const tails = instanceTails(events);
    expect(tails.get('orders')).toBe(MIN_TAIL);
    expect(tails.get('users')).toBe(10);
    expect(tails.get('auth')).toBe(MIN_TAIL);
  });

  it('keeps MAX_TAIL for ids no end up to it tells apart (their title gives each whole)', () => {
    const events = [health('greeter', '7587874236439215621'), health('greeter', '8587874236439215621')];
    expect(instanceTails(events).get('greeter')).toBe(MAX_TAIL);
  });
});
