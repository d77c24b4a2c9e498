import { describe, expect, it } from 'vitest';
import type { Instance } from './instance';
import { countSummaries, sameSummary, servesOutOfDiscovery, summarizeInstances } from './service-summary';

const instance = (id: string, patch: Partial<Instance> = {}): Instance => ({
  id, service: 'orders', key: `/services/orders/${id}`, address: `10.0.0.${id.length}:80`, format: 'native', metadata: {}, status: 'passing', drain: null, ...patch,
});
const drain = { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' };

describe('summarizeInstances', () => {
  it('rolls the instances up with the service status, its cause and the worst instance\'s cause kind', () => {
    const summary = summarizeInstances('orders', [
      instance('a', { passedAt: '2026-01-01T00:00:00Z' }),
      instance('b', { status: 'critical', statusCause: 'HTTP 503', statusCauseKind: 'probe' }),
    ]);
    expect(summary).toMatchObject({ name: 'orders', status: 'warning', causeKind: 'probe', instances: 2, byStatus: { passing: 1, critical: 1 } });
    expect(summary.drained).toBeUndefined();
    expect(summary.cause).toContain('1 of 2 instances failing');
    expect(summary.neverPassed).toBeUndefined();
  });

  it('says when its failing instances in rotation began failing, and, once it passes, when it last recovered', () => {
    const failing = summarizeInstances('orders', [
      instance('a', { status: 'critical', failingSince: '2026-01-01T00:00:20Z', recoveredAt: '2026-01-01T00:00:05Z' }),
      instance('b', { status: 'warning', statusSince: '2026-01-01T00:00:10Z' }),
      instance('c', { status: 'critical', failingSince: '2026-01-01T00:00:01Z', drain }),
      instance('d', { recoveredAt: '2026-01-01T00:00:07Z' }),
    ]);
    expect(failing).toMatchObject({ status: 'warning', failingSince: '2026-01-01T00:00:10Z' });
    expect(failing.recoveredAt).toBeUndefined();
    const passing = summarizeInstances('orders', [instance('a', { recoveredAt: '2026-01-01T00:00:30Z' }), instance('b', { recoveredAt: '2026-01-01T00:00:40Z' }), instance('c')]);
    expect(passing).toMatchObject({ status: 'passing', recoveredAt: '2026-01-01T00:00:40Z' });
    expect(passing.failingSince).toBeUndefined();
  });

  it('says until when an instance of it flaps, however its status reads now: the latest of its instances\' flaps, lost ones included', () => {
    const t = (seconds: number): number => Date.parse('2026-01-01T00:00:00Z') + seconds * 1_000;
    const summary = summarizeInstances('orders', [
      instance('a', { criticalChangesMs: [t(0), t(30), t(60)] }),
      instance('b', { status: 'critical', criticalChangesMs: [t(10), t(40), t(70), t(100)], lost: { at: '2026-01-01T00:01:40Z', cause: 'lease expired', passingBefore: 2 } }),
      instance('c'),
    ]);
    // b's third newest change (40 s) leaves the 10 min window last.
    expect(summary.flappingUntil).toBe('2026-01-01T00:10:40.000Z');
    expect(summarizeInstances('orders', [instance('a', { criticalChangesMs: [t(0), t(30)] })]).flappingUntil).toBeUndefined();
    expect(summarizeInstances('orders', [instance('a', { criticalChangesMs: [1e16, 1e16 + 1, 1e16 + 2] })]).flappingUntil).toBeUndefined();
  });

  it('counts drained, still-called and lost instances, and flags a service none of whose instances passed', () => {
    const summary = summarizeInstances('orders', [
      instance('a', { drain, drainState: 'draining' }),
      instance('b', { drain, drainState: 'drained' }),
      instance('c', { status: 'critical', lost: { at: '2026-01-01T00:00:00Z', cause: 'lease expired', passingBefore: 3 } }),
    ]);
    expect(summary).toMatchObject({ drained: 2, draining: 1, lost: 1, neverPassed: true, status: 'critical' });
  });

  it('says when the service fails only through lost instances, which no dependency of its explains', () => {
    const lost = { at: '2026-01-01T00:00:00Z', cause: 'lease expired', passingBefore: 3 };
    const outOfDiscovery = summarizeInstances('orders', [instance('a'), instance('b', { status: 'warning', lost: { ...lost, stillServing: true } })]);
    expect(outOfDiscovery).toMatchObject({ status: 'warning', lost: 1, lostServing: 1, failingOnlyLost: true });
    const alsoFailingInRotation = summarizeInstances('orders', [instance('a', { status: 'critical' }), instance('b', { status: 'critical', lost })]);
    expect(alsoFailingInRotation.failingOnlyLost).toBeUndefined();
    expect(summarizeInstances('orders', [instance('a'), instance('b')]).failingOnlyLost).toBeUndefined();
    // Back in etcd after its loss, held critical until its probes rule: still failing only through the loss.
    const heldAfterReturn = summarizeInstances('orders', [instance('a'), instance('b', { status: 'critical', statusCauseKind: 'lost', statusCause: 'registered again with no probe verdict yet — lost: lease expired' })]);
    expect(heldAfterReturn.failingOnlyLost).toBe(true);
  });

  it('lists distinct formats, versions and zones, the primary zone, declared dependencies and externals with their kinds', () => {
    const summary = summarizeInstances('orders', [
      instance('a', { zone: 'eu-1', version: '2', dependsOn: ['users'], metadata: { 'external.pg': 'database' } }),
      instance('b', { zone: 'eu-1', version: '1', format: 'kratos', metadata: { 'external.pg': 'database', dependsOn: 'billing, orders' } }),
      instance('c', { zone: 'us-1', metadata: { 'external.pg': 'cache' } }),
    ]);
    expect(summary).toMatchObject({
      zone: 'eu-1', zones: ['eu-1', 'us-1'], versions: ['1', '2'], formats: ['native', 'kratos'].sort(),
      dependsOn: ['billing', 'pg', 'users'], externals: [{ name: 'pg', kind: 'cache', votes: 1 }, { name: 'pg', kind: 'database', votes: 2 }],
    });
  });

  it('is the same summary for the same instances in any order, and a different one when an instance changes', () => {
    const a = instance('a', { zone: 'z1' });
    const b = instance('b', { status: 'warning', statusCause: 'slow' });
    expect(sameSummary(summarizeInstances('orders', [a, b]), summarizeInstances('orders', [b, a]))).toBe(true);
    expect(sameSummary(summarizeInstances('orders', [a, b]), summarizeInstances('orders', [a, { ...b, status: 'passing' }]))).toBe(false);
  });

  it('carries no instance data (ids, addresses, metadata)', () => {
    const text = JSON.stringify(summarizeInstances('orders', [instance('secret-id', { address: '10.9.9.9:1', metadata: { token: 'hush' } })]));
    expect(text).not.toContain('secret-id');
    expect(text).not.toContain('10.9.9.9');
    expect(text).not.toContain('hush');
  });
});

describe('countSummaries', () => {
  it('counts services, instances and services per status', () => {
    const counts = countSummaries([summarizeInstances('a', [instance('1'), instance('2')]), summarizeInstances('b', [instance('3', { status: 'critical' })])]);
    expect(counts).toEqual({ services: 2, instances: 3, byStatus: { passing: 1, warning: 0, critical: 1, unknown: 0 }, outOfDiscovery: 0 });
  });

  it('counts a service failing only by instances out of discovery that still serve as out of discovery, not by its status', () => {
    const left = { at: '2026-01-01T00:00:00Z', cause: 'lease expired while it still served', passingBefore: 3 };
    const serving = { ...left, stillServing: true as const };
    const counts = countSummaries([
      // The whole fleet cut off from etcd: every instance serves on, out of discovery.
      summarizeInstances('all-out', [instance('1', { status: 'critical', lost: serving }), instance('2', { status: 'critical', lost: serving })]),
      summarizeInstances('one-out', [instance('3'), instance('4', { status: 'critical', lost: serving })]),
      // Gone (lost, not serving), or also failing its probes: its status says so.
      summarizeInstances('gone', [instance('5', { status: 'critical', lost: left })]),
      summarizeInstances('also-failing', [instance('6', { status: 'critical', lost: serving }), instance('7', { status: 'critical', statusCauseKind: 'probe' })]),
    ]);
    expect(counts).toEqual({ services: 4, instances: 7, byStatus: { passing: 0, warning: 0, critical: 2, unknown: 0 }, outOfDiscovery: 2 });
  });

  it('counts by its status a service whose other instances are back in etcd after their loss, held critical until probed', () => {
    const serving = { at: '2026-01-01T00:00:00Z', cause: 'lease expired while it still served', passingBefore: 2, stillServing: true as const };
    const held = { status: 'critical' as const, statusCauseKind: 'lost' as const, statusCause: 'registered again with no probe verdict yet — lost: lease expired at 00:00:00 UTC; never probed' };
    const summary = summarizeInstances('half-back', [instance('1', { status: 'critical', lost: serving }), instance('2', held)]);
    expect(summary.failingOnlyLost).toBe(true);
    expect(servesOutOfDiscovery(summary)).toBe(false);
    expect(countSummaries([summary])).toEqual({ services: 1, instances: 2, byStatus: { passing: 0, warning: 0, critical: 1, unknown: 0 }, outOfDiscovery: 0 });
  });
});

describe('summarizeInstances after a registration changes', () => {
  it('reads the new metadata of a re-registered instance, not what its earlier registration declared', () => {
    const before = instance('a', { metadata: { 'external.pg': 'database', dependsOn: 'billing' } });
    expect(summarizeInstances('orders', [before])).toMatchObject({ dependsOn: ['billing', 'pg'], externals: [{ name: 'pg', kind: 'database', votes: 1 }] });
    const after = summarizeInstances('orders', [{ ...before, metadata: { 'external.redis': 'cache' } }]);
    expect(after).toMatchObject({ dependsOn: ['redis'], externals: [{ name: 'redis', kind: 'cache', votes: 1 }] });
    expect(summarizeInstances('orders', [before]).dependsOn).toEqual(['billing', 'pg']);
  });
});
