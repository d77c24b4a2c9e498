import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { EventQuerySchema } from '@/lib/model/events';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import type { DatabaseLocation } from './database';
import { openHistory, type History, type HistoryOptions } from './store';

const event = (i: number, extra: Partial<NewHistoryEvent> = {}): NewHistoryEvent => ({
  at: new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString(),
  kind: 'health.changed',
  service: i % 2 === 0 ? 'users' : 'orders',
  instance: `i-${i}`,
  from: 'passing',
  to: 'critical',
  detail: 'HTTP 503',
  ...extra,
});

describe.each(STORE_DIALECTS)('history store on %s', (dialect) => {
  const testStore = useTestStore(dialect);
  let location: DatabaseLocation;
  let history: History;
  const opened: History[] = [];
  const open = async (options: Omit<Partial<HistoryOptions>, 'file' | 'url'> = {}): Promise<History> => {
    const store = await openHistory({ ...location, flushMs: 5, ...options });
    opened.push(store);
    return store;
  };
  const query = (input: Record<string, string>) => history.query(EventQuerySchema.parse(input));

  beforeEach(async () => {
    location = await testStore.fresh();
    history = await open();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  });

  it('returns events newest first, filtered, and pages through all of them exactly once', async () => {
    for (let i = 0; i < 25; i += 1) history.append(event(i));
    await history.flush();
    const firstPage = await query({ limit: '10' });
    expect(firstPage.events[0]?.instance).toBe('i-24');
    const seen: HistoryEvent[] = [];
    let cursor: string | null = null;
    do {
      const page = await query({ limit: '10', ...(cursor ? { cursor } : {}) });
      seen.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.instance)).toEqual(Array.from({ length: 25 }, (_, i) => `i-${24 - i}`));
    expect((await query({ service: 'users' })).events).toHaveLength(13);
    expect((await query({ kind: 'instance.drained' })).events).toHaveLength(0);
    const window = await query({ since: '2026-11-21T10:00:05Z', until: '2026-11-21T10:00:10Z' });
    expect(window.events.map((e) => e.instance)).toEqual(['i-9', 'i-8', 'i-7', 'i-6', 'i-5']);
  });

  it('keeps the id a lost instance returned as (returnedAs) beside its detail, and leaves it off every other row', async () => {
    history.append(event(1, { kind: 'instance.lost_cleared', instance: 'a', from: undefined, to: undefined, detail: 'registered again as x at y at host at dc1:80', returnedAs: 'x at y' }));
    history.append(event(2, { kind: 'instance.lost_cleared', instance: 'b', from: undefined, to: undefined, detail: 'loss dismissed by alice' }));
    await history.flush();
    const { events } = await query({ kind: 'instance.lost_cleared' });
    expect(events.map((e) => [e.instance, e.returnedAs])).toEqual([
      ['b', undefined],
      ['a', 'x at y'],
    ]);
    expect(events[0]).not.toHaveProperty('returnedAs');
  });

  it('keeps when a critical status’s failed probes began (firstFailedAt), and leaves it off rows without it', async () => {
    history.append(event(10, { firstFailedAt: '2026-11-21T10:00:00.000Z' }));
    history.append(event(12));
    await history.flush();
    const { events } = await query({ kind: 'health.changed' });
    expect(events.map((e) => [e.instance, e.firstFailedAt])).toEqual([
      ['i-12', undefined],
      ['i-10', '2026-11-21T10:00:00.000Z'],
    ]);
    expect(events[0]).not.toHaveProperty('firstFailedAt');
  });

  it('ignores a replayed event with the same natural key', async () => {
    history.append(event(1, { naturalKey: 'cluster:42:/services/users/a:registered' }));
    history.append(event(1, { naturalKey: 'cluster:42:/services/users/a:registered' }));
    await history.flush();
    history.append(event(1, { naturalKey: 'cluster:42:/services/users/a:registered' }));
    await history.flush();
    expect((await query({})).events).toHaveLength(1);
  });

  it('tells a clean stop from a crash on the next start', async () => {
    const first = await history.beginRun();
    expect(first.previousEnd).toBeNull();
    await history.endRun(first.runId);
    const second = await history.beginRun();
    expect(second.previousEnd?.clean).toBe(true);
    await history.heartbeat(second.runId);
    const third = await history.beginRun();
    expect(third.previousEnd?.clean).toBe(false);
  });

  it('keeps an event whose time is not one, dated when written, without sinking the events written with it', async () => {
    const nowMs = Date.UTC(2026, 11, 6, 15, 0, 0);
    const dated = await open({ now: () => nowMs });
    dated.append(event(1));
    dated.append(event(2, { at: 'not a date', until: 'nor this' }));
    dated.append(event(3));
    await dated.flush();
    const { events } = await dated.query(EventQuerySchema.parse({}));
    expect(events.map((e) => [e.instance, e.at, e.until])).toEqual([
      ['i-2', new Date(nowMs).toISOString(), undefined],
      ['i-3', event(3).at, undefined],
      ['i-1', event(1).at, undefined],
    ]);
  });

  it('holds events while the database refuses them and writes them once it takes them again', async () => {
    const logged: string[] = [];
    const refused = await open({ log: (message) => logged.push(message) });
    await refused.db.schema.alterTable('events').renameTo('events_away').execute();
    for (let i = 0; i < 3; i += 1) refused.append(event(i));
    await expect(refused.flush()).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringMatching(/^history: writing 3 event\(s\) failed \(.+\); 3 queued, retrying in 1 s$/)]);
    await refused.db.schema.alterTable('events_away').renameTo('events').execute();
    await refused.flush();
    expect((await refused.query(EventQuerySchema.parse({}))).events.map((e) => e.instance)).toEqual(['i-2', 'i-1', 'i-0']);
    expect(logged.at(-1)).toBe('history: writing again');
  });

  it('keeps free text holding NUL, which PostgreSQL refuses, with U+FFFD in its place', async () => {
    history.append({ ...event(1), detail: 'drained: reason a\u0000b', actor: 'token:c\u0000i' });
    await history.flush();
    expect((await query({})).events.map((e) => [e.detail, e.actor])).toEqual([['drained: reason a\uFFFDb', 'token:c\uFFFDi']]);
  });

  it('drops only the row the database refuses for what it holds, and writes the rest of its batch and after', async () => {
    const logged: string[] = [];
    const store = await open({ log: (message) => logged.push(message) });
    // A row each database refuses for good: PostgreSQL's text cannot hold NUL (names never do, since
    // the registry refuses them; this one comes straight in); SQLite is made to refuse it by a trigger.
    const poison = dialect === 'postgres' ? 'a\u0000b' : 'poison';
    if (dialect === 'sqlite') await sql`create trigger refuse_poison before insert on events when new.service = 'poison' begin select raise(abort, 'refused row'); end`.execute(store.db);
    for (let i = 0; i < 3; i += 1) store.append(event(i));
    store.append({ ...event(9), service: poison });
    for (let i = 3; i < 5; i += 1) store.append(event(i));
    await store.flush();
    store.append(event(5));
    await store.flush();
    expect((await store.query(EventQuerySchema.parse({}))).events.map((e) => e.instance)).toEqual(['i-5', 'i-4', 'i-3', 'i-2', 'i-1', 'i-0']);
    expect(logged).toEqual([expect.stringMatching(/^history: dropped 1 event\(s\) the database refuses, the first a health\.changed event of ".+" \(.+\)$/)]);
  });

  it('finds the newest row of the given kinds per instance, whoever wrote it, in one query for many instances', async () => {
    const at = (second: number): string => new Date(Date.UTC(2026, 11, 6, 10, 0, second)).toISOString();
    history.append({ at: at(1), kind: 'health.changed', service: 'pay', instance: 'p-1', from: 'passing', to: 'critical', detail: 'HTTP 503' });
    history.append({ at: at(4), kind: 'health.changed', service: 'pay', instance: 'p-1', from: 'critical', to: 'passing', detail: 'probe OK' });
    // The same instance name in another service, a later row of another kind, and a tie on time (the later id wins).
    history.append({ at: at(9), kind: 'health.changed', service: 'web', instance: 'p-1', from: 'passing', to: 'warning', detail: 'slow' });
    history.append({ at: at(8), kind: 'instance.lost', service: 'pay', instance: 'p-1', detail: 'lease expired' });
    history.append({ at: at(2), kind: 'instance.lost', service: 'pay', instance: 'p-2', detail: 'lease expired' });
    history.append({ at: at(2), kind: 'instance.lost_cleared', service: 'pay', instance: 'p-2', detail: 'registered again' });
    await history.flush();
    // 1,000 instances in one query: a UNION ALL of one SELECT each failed past 500 on SQLite ("too many terms in compound SELECT").
    const instances = [...['p-1', 'p-2', 'p-3'].map((instance) => ({ service: 'pay', instance })), ...Array.from({ length: 997 }, (_, i) => ({ service: 'idle', instance: `i-${i}` }))];
    const health = await history.latestPerInstance(instances, ['health.changed']);
    expect(health.map((row) => [row.service, row.instance, row.to])).toEqual([['pay', 'p-1', 'passing']]);
    const lost = await history.latestPerInstance(instances, ['instance.lost', 'instance.lost_cleared']);
    expect(lost.map((row) => [row.instance, row.kind]).sort()).toEqual([
      ['p-1', 'instance.lost'],
      ['p-2', 'instance.lost_cleared'],
    ]);
    // Bounded: the newest before a time (exclusive), as a restart's flapping counts read what came before their window.
    const before = await history.latestPerInstance(instances, ['health.changed', 'instance.lost', 'instance.lost_cleared'], Date.parse(at(4)));
    expect(before.map((row) => [row.instance, row.kind, row.to ?? null]).sort()).toEqual([
      ['p-1', 'health.changed', 'critical'],
      ['p-2', 'instance.lost_cleared', null],
    ]);
    await expect(history.latestPerInstance(Array.from({ length: 1_001 }, (_, i) => ({ service: 'idle', instance: `i-${i}` })), ['health.changed'])).rejects.toThrow(RangeError);
  });

  it('runs on the dialect it was given', () => {
    expect(history.dialect).toBe(dialect);
  });

  it('keeps committed events across reopening the store', async () => {
    history.append(event(3));
    await history.flush();
    await history.close();
    opened.splice(opened.indexOf(history), 1);
    history = await open();
    expect((await query({})).events.map((e) => e.instance)).toEqual(['i-3']);
  });

  it('prunes events older than the cutoff in chunks', async () => {
    for (let i = 0; i < 30; i += 1) history.append(event(i));
    await history.flush();
    expect(await history.pruneOlderThan(Date.UTC(2026, 10, 21, 10, 0, 10))).toBe(10);
    expect((await query({ limit: '100' })).events).toHaveLength(20);
  });

  it('hands newly committed events (with ids) to the live listener, replays excluded', async () => {
    const appended: HistoryEvent[] = [];
    history = await open({ onAppended: (events) => appended.push(...events) });
    history.append(event(1, { naturalKey: 'k1' }));
    history.append(event(2, { naturalKey: 'k1' }));
    await history.flush();
    expect(appended).toHaveLength(1);
    expect(appended[0]?.id).toBeGreaterThan(0);
  });

  it('lists the registrations still open, oldest first, and keeps lineages across a reopen', async () => {
    const lifeOf = (id: string, kind: 'instance.registered' | 'instance.deregistered', revision: number): NewHistoryEvent =>
      event(revision, { kind, instance: id, from: undefined, to: undefined, detail: kind, naturalKey: `c1:${revision}:/services/users/${id}:${id}:${kind}` });
    history.append(lifeOf('gone', 'instance.registered', 1));
    history.append(lifeOf('open', 'instance.registered', 2));
    history.append(lifeOf('gone', 'instance.deregistered', 1));
    history.append(lifeOf('again', 'instance.registered', 3));
    history.append(lifeOf('again', 'instance.deregistered', 3));
    history.append(lifeOf('again', 'instance.registered', 4));
    await history.flush();
    expect((await history.openRegistrations()).map((r) => r.naturalKey)).toEqual([
      'c1:2:/services/users/open:open:instance.registered',
      'c1:4:/services/users/again:again:instance.registered',
    ]);
    await history.saveLineage('c1', { clusterId: 'c1', highestRevision: '40', seenMs: 1 });
    await history.saveLineage('c1', { clusterId: 'c1', highestRevision: '9007199254740993', seenMs: 2 });
    await history.close();
    const reopened = await open();
    expect(await reopened.lineages()).toEqual([['c1', { clusterId: 'c1', highestRevision: '9007199254740993', seenMs: 2 }]]);
  });
});
