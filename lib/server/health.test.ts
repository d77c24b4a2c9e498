import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '@/lib/model/health-state';
import type { Delta } from '@/lib/model/live';
import { createHealthTracker, healthChangedEvent, type HealthChange } from './health';
import type { HealthFacts } from './store/instance-table';
import { createStore, type Store } from './store/store';

const KEY = '/services/users/a';
let store: Store;
afterEach(() => store.close());

function setup(clock: { t: number }) {
  store = createStore({ coalesceMs: 0 });
  store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'users', id: 'a', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
  store.flush();
  const changes: HealthChange[] = [];
  const deltas: Delta[] = [];
  store.subscribe((delta) => deltas.push(delta));
  // What the status publisher does with probe facts when no traffic overrides them.
  const publish = (key: string, facts: HealthFacts, change: HealthChange | undefined): void => {
    store.setHealth(key, facts);
    if (change) changes.push(change);
  };
  const tracker = createHealthTracker({ store, publish, probeRefreshMs: 30_000, now: () => clock.t });
  return { tracker, changes, deltas };
}
const probe = (ok: boolean, latencyMs = 4, error?: string): ProbeResult => ({ at: new Date(0).toISOString(), ok, latencyMs, ...(error ? { error } : {}) });

describe('health tracker', () => {
  it('reports each status change once, with its cause', () => {
    const clock = { t: 0 };
    const { tracker, changes } = setup(clock);
    for (let i = 0; i < 2; i += 1) tracker.record(KEY, probe(true));
    for (let i = 0; i < 3; i += 1) tracker.record(KEY, probe(false, 2000, 'timeout after 2 s'));
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['unknown→passing', 'passing→critical']);
    expect(changes[1]?.cause).toBe('timeout after 2 s');
    expect(store.instance(KEY)).toMatchObject({ status: 'critical', statusCause: 'timeout after 2 s' });
  });

  it('says when the first failed probe of the streak that turned it critical ran, on that change and its history row', () => {
    const { tracker, changes } = setup({ t: 0 });
    const at = (second: number): string => new Date(second * 1_000).toISOString();
    for (const [second, ok] of [[0, true], [5, true], [10, false], [15, true], [20, false], [25, false], [30, false], [35, false]] as const) {
      tracker.record(KEY, { at: at(second), ok, latencyMs: 4, ...(ok ? {} : { error: 'connection refused' }) });
    }
    // The failure at 10 s was one lucky-probe streak of its own: the streak that made it critical began at 20 s.
    expect(changes.map((c) => [c.to, c.at, c.firstFailedAt])).toEqual([
      ['passing', at(5), undefined],
      ['critical', at(30), at(20)],
    ]);
    expect(healthChangedEvent(changes[1] as HealthChange)).toMatchObject({ at: at(30), to: 'critical', firstFailedAt: at(20) });
    expect(healthChangedEvent(changes[0] as HealthChange)).not.toHaveProperty('firstFailedAt');
  });

  it('publishes at once that a passing instance’s last probe failed, while its status waits for more failures', () => {
    const { tracker, changes } = setup({ t: 0 });
    for (let i = 0; i < 2; i += 1) tracker.record(KEY, probe(true));
    tracker.record(KEY, probe(false, 1, 'connection refused'));
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'connection refused; 1 of 3 failed probes before critical', lastProbe: { ok: false } });
    tracker.record(KEY, probe(true));
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK', lastProbe: { ok: true } });
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['unknown→passing']);
  });

  it('publishes a new instance’s failed probes before its status turns critical, and keeps its first OK probe to itself', () => {
    const { tracker, deltas } = setup({ t: 0 });
    store.flush();
    const before = deltas.length;
    tracker.record(KEY, probe(true));
    store.flush();
    // An OK first probe is no news (100,000 of them at start would flood the views); the next one makes it passing.
    expect(deltas.length).toBe(before);
    const crashing = '/services/users/b';
    store.upsertKey({ etcdKey: crashing, lease: undefined, registrations: [{ service: 'users', id: 'b', address: '127.0.0.1:2', format: 'native', metadata: {} }] });
    tracker.record(crashing, probe(false, 1, 'connection refused'));
    expect(store.instance(crashing)).toMatchObject({ status: 'unknown', statusCause: 'connection refused; 1 of 3 failed probes before critical', lastProbe: { ok: false } });
    tracker.record(crashing, probe(false, 1, 'connection refused'));
    expect(store.instance(crashing)).toMatchObject({ status: 'unknown', statusCause: 'connection refused; 2 of 3 failed probes before critical' });
  });

  it('refreshes lastProbe of a steady instance only every probeRefreshMs', () => {
    const clock = { t: 0 };
    const { tracker, deltas } = setup(clock);
    tracker.record(KEY, probe(true));
    tracker.record(KEY, probe(true));
    store.flush();
    const before = deltas.length;
    for (let i = 0; i < 10; i += 1) {
      clock.t += 5_000;
      tracker.record(KEY, probe(true, 4 + i));
      store.flush();
    }
    expect(deltas.length - before).toBe(1);
  });

  it('ignores results for instances that are gone', () => {
    const { tracker, changes } = setup({ t: 0 });
    store.removeKey(KEY);
    tracker.record(KEY, probe(true));
    tracker.record(KEY, probe(true));
    expect(changes).toEqual([]);
  });
});
