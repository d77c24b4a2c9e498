import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Delta } from '@/lib/model/live';
import type { Departure } from '@/lib/model/status/lost';
import { listServices } from '@/lib/model/state';
import { createStore, type Store } from '../store/store';
import { createLostTracker, LOST_KEY_PREFIX, type LostTracker } from './tracker';

let store: Store;
let tracker: LostTracker;
afterEach(() => {
  tracker.stop();
  store.close();
  vi.useRealTimers();
});

const registration = (id: string, address = `10.0.0.${id.length}:80`) => ({ service: 'users', id, address, format: 'native' as const, metadata: {} });

function setup(lease: Departure['lease'], clock = { t: Date.parse('2026-12-03T09:32:41Z') }) {
  store = createStore({ coalesceMs: 0 });
  const history: NewHistoryEvent[] = [];
  tracker = createLostTracker({ store, departedLease: async () => lease, retentionSeconds: 60, onHistory: (event) => history.push(event), now: () => clock.t, sweepMs: 1_000 });
  for (const id of ['a', 'bb']) store.upsertKey({ etcdKey: `/s/users/${id}`, lease: '7', registrations: [registration(id)] });
  store.flush();
  return { history, clock };
}

const failProbe = (key: string, at: string): void => store.setHealth(key, { status: 'passing', statusCause: 'probe OK', lastProbe: { at, ok: false, latencyMs: 1, error: 'connection refused' } });
const passProbe = (key: string, at: string): void => store.setHealth(key, { status: 'passing', statusCause: 'probe OK', lastProbe: { at, ok: true, latencyMs: 1 } });

/** What the registry does on a delete event: tell the tracker, then remove the key. */
async function expire(etcdKey: string): Promise<void> {
  tracker.keyGoing(etcdKey, '100');
  store.removeKey(etcdKey);
  store.flush();
  // The lease answer is a resolved promise: one turn of the event loop delivers it.
  await new Promise((resolve) => setImmediate(resolve));
  store.flush();
}

const users = () => listServices({ services: new Map([['users', new Map([...store.instances()].map((i) => [i.key, i]))]]) })[0];

describe('lost tracker', () => {
  it('keeps every instance of a service whose leases expired after failing probes, critical, with the cause', async () => {
    const { history } = setup('gone');
    for (const key of ['/s/users/a', '/s/users/bb']) {
      failProbe(key, '2026-12-03T09:32:31.000Z');
      store.flush();
      failProbe(key, '2026-12-03T09:32:36.000Z');
    }
    store.flush();
    await expire('/s/users/a');
    await expire('/s/users/bb');
    const service = users();
    expect(service?.status).toBe('critical');
    expect(service?.cause).toMatch(/^all 2 instances lost since 09:32:31 UTC/);
    expect(service?.instances.map((i) => [i.id, i.status, i.lost?.at])).toEqual([
      ['a', 'critical', '2026-12-03T09:32:31.000Z'],
      ['bb', 'critical', '2026-12-03T09:32:31.000Z'],
    ]);
    expect(history.filter((e) => e.kind === 'instance.lost').map((e) => e.instance)).toEqual(['a', 'bb']);
  });

  it('puts the stand-in in the same delta as the removal, so the service never drops out of the lists', () => {
    setup('gone');
    failProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    tracker.keyGoing('/s/users/a', '100');
    store.removeKey('/s/users/a');
    store.flush();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.changes.map((change) => (change.op === 'upsert' ? `upsert ${change.instance.id} lost=${Boolean(change.instance.lost)}` : `remove ${change.key}`))).toEqual([
      'upsert a lost=true',
      'remove /s/users/a',
    ]);
  });

  it('takes the stand-in back without a loss when etcd says the lease lives (an explicit delete)', async () => {
    const { history } = setup('alive');
    failProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    expect([...store.instances()].map((i) => i.id)).toEqual(['bb']);
    expect(history).toEqual([]);
  });

  it('removes a gracefully stopped instance without a loss', async () => {
    const { history } = setup('gone');
    passProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    expect([...store.instances()].map((i) => i.id)).toEqual(['bb']);
    expect(history).toEqual([]);
  });

  it('clears the loss when the same instance registers again under another key', async () => {
    const { history } = setup('gone');
    failProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    expect(store.instance(`${LOST_KEY_PREFIX}/s/users/a`)?.lost).toBeDefined();
    store.upsertKey({ etcdKey: '/s/users/a-new', lease: '8', registrations: [registration('a2', '10.0.0.1:80')] });
    store.flush();
    store.flush();
    expect(store.instance(`${LOST_KEY_PREFIX}/s/users/a`)).toBeUndefined();
    expect(history.at(-1)).toMatchObject({ kind: 'instance.lost_cleared', instance: 'a', detail: 'registered again as a2 at 10.0.0.1:80' });
  });

  it('forgets a loss after the retention, and on dismissal with the actor recorded', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { history, clock } = setup('unknown');
    await expire('/s/users/a');
    await expire('/s/users/bb');
    expect(tracker.count()).toBe(2);
    expect(tracker.dismiss('users', 'bb', 'alice')).toMatchObject({ ok: true });
    expect(history.at(-1)).toMatchObject({ kind: 'instance.lost_cleared', instance: 'bb', actor: 'alice' });
    clock.t += 59_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(1);
    clock.t += 2_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(0);
    expect([...store.instances()]).toEqual([]);
    expect(tracker.dismiss('users', 'bb', 'alice')).toEqual({ ok: false });
  });

  it('puts stand-ins back after a relist replaced the store', async () => {
    setup('gone');
    failProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    store.replaceAll([{ etcdKey: '/s/users/bb', lease: '7', registrations: [registration('bb')] }], new Map(), '200');
    tracker.relisted();
    store.flush();
    expect(store.instance(`${LOST_KEY_PREFIX}/s/users/a`)?.status).toBe('critical');
  });
});
