import { describe, expect, it } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Registration } from '@/lib/model/registration';
import { createLifecycle, type LeaseState } from './lifecycle';

const reg = (id: string): Registration => ({ service: 'users', id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const setup = (leaseState: LeaseState = () => Promise.resolve('expired')) => {
  const events: NewHistoryEvent[] = [];
  const lifecycle = createLifecycle((e) => events.push(e), leaseState, () => new Date('2026-11-21T10:00:00Z'));
  lifecycle.setCluster('c1');
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

  it('tells a lease expiry from an explicit delete', async () => {
    const expired = setup(() => Promise.resolve('expired'));
    expired.lifecycle.put('/k', '5', '77', [reg('a')]);
    expired.lifecycle.delete('/k');
    await new Promise((r) => setImmediate(r));
    expect(expired.events.at(-1)).toMatchObject({ kind: 'instance.deregistered', detail: 'lease 77 expired' });
    const deleted = setup(() => Promise.resolve('alive'));
    deleted.lifecycle.put('/k', '5', '77', [reg('a')]);
    deleted.lifecycle.delete('/k');
    await new Promise((r) => setImmediate(r));
    expect(deleted.events.at(-1)?.detail).toBe('key deleted (lease still alive)');
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
    lifecycle.delete('/a');
    lifecycle.put('/a', '7', undefined, [reg('a')]);
    expect(new Set(events.map((e) => e.naturalKey)).size).toBe(3);
  });
});
