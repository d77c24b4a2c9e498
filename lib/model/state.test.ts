import { describe, expect, it } from 'vitest';
import type { Instance } from './instance';
import type { Snapshot } from './live';
import { applyDelta, listServices, stateFromSnapshot } from './state';

const instance = (service: string, id: string): Instance => ({
  id, service, key: `/services/${service}/${id}`, address: '127.0.0.1:1', format: 'native', metadata: {}, status: 'unknown', drain: null,
});
const snapshot: Snapshot = {
  epoch: 'run-1', seq: 5, revision: '100', registry: { state: 'synced', since: '2026-01-01T00:00:00Z' },
  services: [{ name: 'users', status: 'unknown', instances: [instance('users', 'a')] }],
};

describe('applyDelta', () => {
  it('applies the next delta', () => {
    const { state, outcome } = applyDelta(stateFromSnapshot(snapshot), {
      seq: 6, revision: '101', changes: [{ op: 'upsert', instance: instance('orders', 'x') }, { op: 'remove', service: 'users', key: '/services/users/a' }],
    });
    expect(outcome).toBe('applied');
    expect(listServices(state).map((s) => s.name)).toEqual(['orders']);
    expect(state.revision).toBe('101');
  });

  it('ignores a stale delta and leaves state untouched', () => {
    const before = stateFromSnapshot(snapshot);
    const { state, outcome } = applyDelta(before, { seq: 5, revision: '100', changes: [{ op: 'remove', service: 'users', key: '/services/users/a' }] });
    expect(outcome).toBe('stale');
    expect(state).toBe(before);
  });

  it('reports a gap instead of applying out of order', () => {
    const before = stateFromSnapshot(snapshot);
    const { state, outcome } = applyDelta(before, { seq: 8, revision: '110', changes: [] });
    expect(outcome).toBe('gap');
    expect(state).toBe(before);
  });

  it('never mutates the previous state', () => {
    const before = stateFromSnapshot(snapshot);
    applyDelta(before, { seq: 6, revision: '101', changes: [{ op: 'upsert', instance: instance('users', 'b') }] });
    expect(before.services.get('users')?.size).toBe(1);
  });

  it('keeps a service named __proto__ as data', () => {
    const { state } = applyDelta(stateFromSnapshot(snapshot), { seq: 6, revision: '101', changes: [{ op: 'upsert', instance: instance('__proto__', 'p') }] });
    expect(listServices(state).map((s) => s.name)).toContain('__proto__');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });
});
