import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from './events';
import { summarizeFirstPasses, timelineEntries } from './timeline-entries';

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

  it('is every event once, in order, whichever groups are open', () => {
    const events = [firstPass('a', '1', 9), firstPass('a', '2', 8), firstPass('a', '3', 7), event({}, 6), firstPass('a', '4', 5)];
    const closed = timelineEntries(events, new Set());
    const keys = closed.flatMap((entry) => (entry.type === 'group' ? [entry.key] : []));
    const opened = timelineEntries(events, new Set(keys));
    expect(opened.flatMap((entry) => (entry.type === 'event' ? [entry.event.id] : []))).toEqual(events.map((e) => e.id));
    expect(closed.flatMap((entry) => (entry.type === 'event' ? [entry.event] : entry.events)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});

describe('summarizeFirstPasses', () => {
  it('counts distinct instances and services and gives the span', () => {
    expect(summarizeFirstPasses([firstPass('a', '1', 9), firstPass('b', '1', 8), firstPass('a', '2', 7)])).toEqual({ instances: 3, services: 2, newest: at(9), oldest: at(7) });
    expect(summarizeFirstPasses([firstPass('a', '1', 9), firstPass('a', '2', 8), firstPass('a', '1', 7)])).toEqual({ instances: 2, service: 'a', services: 1, newest: at(9), oldest: at(7) });
  });
});
