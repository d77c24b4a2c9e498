import { describe, expect, it } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Registration } from '@/lib/model/registration';
import type { LeaseEnd } from './lease-end';
import { createLifecycle, parseRegistrationKey, type LeaseVerdict } from './lifecycle';

const reg = (id: string): Registration => ({ service: 'users', id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const setup = (leaseVerdict: LeaseVerdict = () => Promise.resolve<LeaseEnd>('ended')) => {
  const events: NewHistoryEvent[] = [];
  const lifecycle = createLifecycle((e) => events.push(e), leaseVerdict, () => new Date('2026-11-21T10:00:00Z'));
  lifecycle.setLineage('c1');
  return { events, lifecycle };
};

describe('registration lifecycle', () => {
  it('records a registration once, however often its value is rewritten', () => {
    const { events, lifecycle } = setup();
    lifecycle.put('/services/users/a', '10', undefined, [reg('a')]);
    lifecycle.put('/services/users/a', '10', undefined, [reg('a')]);
    expect(events.map((e) => e.kind)).toEqual(['instance.registered']);
    expect(events[0]?.naturalKey).toBe('c1:10:/services/users/a:a:instance.registered');
  });

  it.each<[LeaseEnd | 'no lease', string]>([
    ['no lease', 'key deleted'],
    ['alive', 'key deleted (lease 77 still alive)'],
    ['revoked', 'lease 77 revoked'],
    ['ended', 'lease 77 ended (revoked or expired)'],
    ['unknown', 'key deleted or lease 77 ended (etcd did not answer which)'],
  ])('records the cause of a deletion honestly: %s', async (verdict, detail) => {
    const asked: string[] = [];
    const { events, lifecycle } = setup((lease, revision) => {
      asked.push(`${lease}@${revision}`);
      return Promise.resolve(verdict === 'no lease' ? 'alive' : verdict);
    });
    lifecycle.put('/k', '5', verdict === 'no lease' ? undefined : '77', [reg('a')]);
    lifecycle.delete('/k', '9');
    await new Promise((r) => setImmediate(r));
    expect(events.at(-1)).toMatchObject({ kind: 'instance.deregistered', detail });
    expect(asked).toEqual(verdict === 'no lease' ? [] : ['77@9']);
  });

  it('after a relist reports what appeared and vanished in the gap, with the same natural keys as live events', () => {
    const { events, lifecycle } = setup();
    lifecycle.put('/a', '1', undefined, [reg('a')]);
    lifecycle.put('/b', '2', undefined, [reg('b')]);
    const counts = lifecycle.replace(new Map([['/a', { createRevision: '1', lease: undefined, registrations: [reg('a')] }], ['/c', { createRevision: '9', lease: undefined, registrations: [reg('c')] }]]), false);
    expect(counts).toEqual({ added: 1, removed: 1 });
    expect(events.slice(2).map((e) => `${e.kind} ${e.instance}`)).toEqual(['instance.registered c', 'instance.deregistered b']);
    expect(events.filter((e) => e.instance === 'a')).toHaveLength(1);
  });

  it('treats a re-registration under a new create revision as a new registration', () => {
    const { events, lifecycle } = setup();
    lifecycle.put('/a', '1', undefined, [reg('a')]);
    lifecycle.delete('/a', '3');
    lifecycle.put('/a', '7', undefined, [reg('a')]);
    expect(new Set(events.map((e) => e.naturalKey)).size).toBe(3);
  });

  it('treats the same create revision in another lineage (a replaced etcd) as another registration', () => {
    const { events, lifecycle } = setup();
    lifecycle.replace(new Map([['/a', { createRevision: '4', lease: undefined, registrations: [reg('a')] }]]), true);
    lifecycle.setLineage('c2');
    const counts = lifecycle.replace(new Map([['/a', { createRevision: '4', lease: undefined, registrations: [reg('a')] }]]), false);
    expect(counts).toEqual({ added: 1, removed: 1 });
    expect(events.map((e) => e.naturalKey)).toEqual([
      'c1:4:/a:a:instance.registered',
      'c2:4:/a:a:instance.registered',
      'c1:4:/a:a:instance.deregistered',
    ]);
  });

  it('closes, at the first listing after a start, what the history held open and etcd no longer has', () => {
    const { events, lifecycle } = setup();
    const open = [
      { naturalKey: 'c1:3:/services/users/gone:gone:instance.registered', service: 'users', instance: 'gone' },
      { naturalKey: 'c1:4:/services/users/kept:kept:instance.registered', service: 'users', instance: 'kept' },
      { naturalKey: 'c1:5:/dubbo/x:10.0.0.1:80:10.0.0.1:80:instance.registered', service: 'x', instance: '10.0.0.1:80' },
    ];
    expect(lifecycle.restore(open)).toBe(3);
    const counts = lifecycle.replace(new Map([['/services/users/kept', { createRevision: '4', lease: undefined, registrations: [reg('kept')] }]]), true);
    expect(counts).toEqual({ added: 0, removed: 2 });
    expect(events.map((e) => `${e.kind} ${e.naturalKey} ${e.detail}`)).toEqual([
      'instance.deregistered c1:3:/services/users/gone:gone:instance.deregistered gone while Switchyard was not watching',
      'instance.deregistered c1:5:/dubbo/x:10.0.0.1:80:10.0.0.1:80:instance.deregistered gone while Switchyard was not watching',
    ]);
  });

  it('reads key and origin back out of a registration natural key, colons and all', () => {
    expect(parseRegistrationKey('c1:12:/a:b/10.0.0.1:80:10.0.0.1:80:instance.registered', '10.0.0.1:80')).toEqual({ origin: 'c1:12', key: '/a:b/10.0.0.1:80' });
    expect(parseRegistrationKey('c1:12:/a/x:x:instance.deregistered', 'x')).toBeNull();
    expect(parseRegistrationKey('nonsense', 'x')).toBeNull();
  });

  it('closes drains lifted while nobody watched: restored from history, or re-drained since', () => {
    const { events, lifecycle } = setup();
    lifecycle.restore([], [
      { naturalKey: 'drain:c1:7:/switchyard/drain/users/a:instance.drained', service: 'users', instance: 'a' },
      { naturalKey: 'drain:c1:8:/switchyard/drain/users/b:instance.drained', service: 'users', instance: 'b' },
      { naturalKey: 'drain:c1:9:/switchyard/drain/users/c:instance.drained', service: 'users', instance: 'c' },
    ]);
    const drain = { by: 'ops', reason: 'maintenance', at: '2026-11-21T09:00:00.000Z' };
    lifecycle.drainPut('/switchyard/drain/users/b', '8', undefined, { service: 'users', id: 'b' }, drain);
    lifecycle.drainPut('/switchyard/drain/users/c', '12', undefined, { service: 'users', id: 'c' }, drain);
    expect(lifecycle.drainsListed(new Set(['/switchyard/drain/users/b', '/switchyard/drain/users/c']))).toBe(1);
    expect(events.map((e) => `${e.kind} ${e.naturalKey}`)).toEqual([
      'instance.undrained drain:c1:9:/switchyard/drain/users/c:instance.undrained',
      'instance.drained drain:c1:12:/switchyard/drain/users/c:instance.drained',
      'instance.undrained drain:c1:7:/switchyard/drain/users/a:instance.undrained',
    ]);
    expect(events[0]?.actor).toBe('unknown (lifted while Switchyard was not watching)');
  });
});
