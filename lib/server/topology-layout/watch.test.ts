import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import type { Delta } from '@/lib/model/live';
import { observedPairsKey, structuralChanges } from './watch';

const instance = (patch: Partial<Instance> = {}): Instance => ({
  id: 'orders-1',
  service: 'orders',
  key: '/services/orders/1',
  address: '127.0.0.1:9',
  format: 'native',
  metadata: {},
  dependsOn: ['postgres'],
  status: 'unknown',
  drain: null,
  ...patch,
});
let seq = 0;
const delta = (...changes: Delta['changes']): Delta => ({ seq: (seq += 1), revision: String(seq), changes });

describe('structuralChanges', () => {
  it('sees instances come and go and their dependencies change, not their status or drain', () => {
    const changed = structuralChanges();
    expect(changed(delta({ op: 'upsert', instance: instance() }))).toBe(true);
    expect(changed(delta({ op: 'upsert', instance: instance({ status: 'critical', statusCause: 'HTTP 503' }) }))).toBe(false);
    expect(changed(delta({ op: 'upsert', instance: instance({ drain: { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' } }) }))).toBe(false);
    expect(changed(delta({ op: 'upsert', instance: instance({ dependsOn: ['postgres', 'redis'] }) }))).toBe(true);
    expect(changed(delta({ op: 'upsert', instance: instance({ dependsOn: ['postgres', 'redis'], metadata: { 'external.redis': 'cache' } }) }))).toBe(true);
    expect(changed(delta({ op: 'remove', service: 'orders', key: '/services/orders/1' }))).toBe(true);
    expect(changed(delta({ op: 'remove', service: 'orders', key: '/services/orders/1' }))).toBe(false);
    expect(changed(delta())).toBe(false);
  });

  it('does not see more instances like the ones there, until the last of a kind goes', () => {
    const changed = structuralChanges();
    const replica = (n: number, patch: Partial<Instance> = {}) => instance({ id: `orders-${n}`, key: `/services/orders/${n}`, ...patch });
    expect(changed(delta({ op: 'upsert', instance: replica(1) }))).toBe(true);
    expect(changed(delta({ op: 'upsert', instance: replica(2) }, { op: 'upsert', instance: replica(3) }))).toBe(false);
    // One replica with another dependency adds an edge; moving it back takes it away.
    expect(changed(delta({ op: 'upsert', instance: replica(3, { dependsOn: ['redis'] }) }))).toBe(true);
    expect(changed(delta({ op: 'upsert', instance: replica(3) }))).toBe(true);
    expect(changed(delta({ op: 'remove', service: 'orders', key: '/services/orders/2' }, { op: 'remove', service: 'orders', key: '/services/orders/3' }))).toBe(false);
    expect(changed(delta({ op: 'remove', service: 'orders', key: '/services/orders/1' }))).toBe(true);
    // A key that moves to another service changes both.
    expect(changed(delta({ op: 'upsert', instance: replica(1) }))).toBe(true);
    expect(changed(delta({ op: 'upsert', instance: replica(1, { service: 'billing' }) }))).toBe(true);
  });
});

describe('observedPairsKey', () => {
  it('changes with the pairs, not their order or figures', () => {
    const edge = (from: string, to: string, rps: number) => ({ from, to, rps, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
    expect(observedPairsKey([edge('a', 'b', 1), edge('b', 'c', 2)])).toBe(observedPairsKey([edge('b', 'c', 9), edge('a', 'b', 5)]));
    expect(observedPairsKey([edge('a', 'b', 1)])).not.toBe(observedPairsKey([edge('a', 'b', 1), edge('a', 'c', 1)]));
  });
});
