import { describe, expect, it } from 'vitest';
import type { Instance } from './instance';
import { SubscribeRequestSchema, UnsubscribeRequestSchema, type ServiceSnapshot, type SummarySnapshot } from './live';
import { summarizeInstances } from './service-summary';
import { applyServiceDelta, applySummaryDelta, serviceOf, serviceViewFromSnapshot, summariesOf, summaryViewFromSnapshot, viewOutcome } from './views';

const instance = (service: string, id: string, patch: Partial<Instance> = {}): Instance => ({
  id, service, key: `/services/${service}/${id}`, address: '127.0.0.1:1', format: 'native', metadata: {}, status: 'passing', drain: null, ...patch,
});
const registry = { state: 'synced' as const, since: '2026-01-01T00:00:00Z' };
const summarySnapshot: SummarySnapshot = {
  epoch: 'run-1', seq: 10, revision: '100', registry,
  services: [summarizeInstances('orders', [instance('orders', 'a')]), summarizeInstances('users', [instance('users', 'u')])],
};
const serviceSnapshot: ServiceSnapshot = { epoch: 'run-1', seq: 10, revision: '100', service: 'orders', instances: [instance('orders', 'a'), instance('orders', 'b')] };

describe('viewOutcome', () => {
  it('is stale at or below the applied seq, a gap when prev is above it, applied otherwise', () => {
    expect(viewOutcome(10, { seq: 10, prev: 3 })).toBe('stale');
    expect(viewOutcome(10, { seq: 9, prev: 3 })).toBe('stale');
    expect(viewOutcome(10, { seq: 14, prev: 12 })).toBe('gap');
    expect(viewOutcome(10, { seq: 14, prev: 10 })).toBe('applied');
    // Deltas 11–13 did not touch this view: prev below the applied seq is no gap.
    expect(viewOutcome(10, { seq: 14, prev: 7 })).toBe('applied');
  });
});

describe('applySummaryDelta', () => {
  it('upserts and removes summaries, keeps the registry unless the delta carries one, and never mutates', () => {
    const before = summaryViewFromSnapshot(summarySnapshot);
    const degraded = summarizeInstances('orders', [instance('orders', 'a', { status: 'critical' })]);
    const unreachable = { state: 'unreachable' as const, since: '2026-01-01T00:01:00Z' };
    const { view, outcome } = applySummaryDelta(before, { seq: 12, prev: 10, revision: '105', registry: unreachable, upserts: [degraded], removes: ['users'] });
    expect(outcome).toBe('applied');
    expect(summariesOf(view)).toEqual([degraded]);
    expect(view).toMatchObject({ seq: 12, revision: '105', registry: unreachable });
    expect(summariesOf(before).map((s) => s.name)).toEqual(['orders', 'users']);
    const next = applySummaryDelta(view, { seq: 13, prev: 12, revision: '106', upserts: [], removes: [] });
    expect(next.view.registry).toBe(unreachable);
  });

  it('ignores a stale delta and reports a gap without applying', () => {
    const before = summaryViewFromSnapshot(summarySnapshot);
    expect(applySummaryDelta(before, { seq: 10, prev: 8, revision: '1', upserts: [], removes: ['orders'] })).toEqual({ view: before, outcome: 'stale' });
    expect(applySummaryDelta(before, { seq: 15, prev: 11, revision: '1', upserts: [], removes: ['orders'] })).toEqual({ view: before, outcome: 'gap' });
  });
});

describe('applyServiceDelta', () => {
  it('applies upserts and removes of its service and rolls the status up', () => {
    const before = serviceViewFromSnapshot(serviceSnapshot);
    const { view, outcome } = applyServiceDelta(before, {
      service: 'orders', seq: 11, prev: 4, revision: '101',
      changes: [{ op: 'upsert', instance: instance('orders', 'a', { status: 'critical' }) }, { op: 'remove', service: 'orders', key: '/services/orders/b' }],
    });
    expect(outcome).toBe('applied');
    expect(serviceOf(view)).toMatchObject({ name: 'orders', status: 'critical', instances: [{ id: 'a', status: 'critical' }] });
    expect(before.instances.size).toBe(2);
  });

  it('drops an instance that moved to another service, and ignores another service\'s delta', () => {
    const before = serviceViewFromSnapshot(serviceSnapshot);
    const moved = { ...instance('billing', 'a'), key: '/services/orders/a' };
    const { view } = applyServiceDelta(before, { service: 'orders', seq: 11, prev: 10, revision: '101', changes: [{ op: 'upsert', instance: moved }] });
    expect([...view.instances.keys()]).toEqual(['/services/orders/b']);
    expect(applyServiceDelta(before, { service: 'users', seq: 11, prev: 10, revision: '101', changes: [] })).toEqual({ view: before, outcome: 'stale' });
  });

  it('reports a gap when prev is above the applied seq', () => {
    const before = serviceViewFromSnapshot(serviceSnapshot);
    expect(applyServiceDelta(before, { service: 'orders', seq: 13, prev: 12, revision: '1', changes: [] }).outcome).toBe('gap');
  });
});

describe('subscribe requests', () => {
  it('accepts the summary or a named service, with an optional resume', () => {
    expect(SubscribeRequestSchema.safeParse({ view: 'summary' }).success).toBe(true);
    expect(SubscribeRequestSchema.safeParse({ view: 'service', service: 'orders', resume: { epoch: 'e', seq: 3 } }).success).toBe(true);
    expect(UnsubscribeRequestSchema.safeParse({ view: 'service', service: 'orders' }).success).toBe(true);
  });

  it('refuses unknown views, empty or over-long service names and malformed resumes', () => {
    for (const request of [
      { view: 'all' },
      { view: 'service' },
      { view: 'service', service: '' },
      { view: 'service', service: 'x'.repeat(257) },
      { view: 'summary', resume: { epoch: 'e', seq: -1 } },
      { view: 'summary', resume: { epoch: 'e'.repeat(65), seq: 1 } },
      'summary',
      null,
    ]) {
      expect(SubscribeRequestSchema.safeParse(request).success).toBe(false);
    }
    expect(SubscribeRequestSchema.safeParse({ view: 'service', service: 'x'.repeat(256) }).success).toBe(true);
  });
});
