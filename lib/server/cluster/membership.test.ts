import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMembership } from './membership';

/**
 * An etcd client the test drives by hand: each lease is an emitter (its 'lost' is emitted by the
 * test), a put on it is refused when `refusePuts` says so, and each watch is an emitter whose
 * 'error' the test emits. It notes every grant, put, revoke and open watch, with the test's phase.
 */
function scriptedEtcd() {
  const phase = { stopped: false };
  const leases: (EventEmitter & { revoked: boolean })[] = [];
  const puts: { stopped: boolean; lease: number }[] = [];
  const granted: { stopped: boolean }[] = [];
  const watchers: (EventEmitter & { cancelled: boolean })[] = [];
  const refusePuts: boolean[] = [];
  const lease = () => {
    const current = Object.assign(new EventEmitter(), {
      revoked: false,
      put: () => ({
        value: () => {
          puts.push({ stopped: phase.stopped, lease: leases.indexOf(current) });
          return refusePuts.shift() ? Promise.reject(new Error('UNAVAILABLE')) : Promise.resolve({ header: { revision: '5' } });
        },
      }),
      revoke: () => {
        current.revoked = true;
        return Promise.resolve();
      },
    });
    leases.push(current);
    granted.push({ stopped: phase.stopped });
    return current;
  };
  const openWatcher = () => {
    const watcher = Object.assign(new EventEmitter(), {
      cancelled: false,
      cancel: () => {
        watcher.cancelled = true;
        return Promise.resolve();
      },
    });
    watchers.push(watcher);
    return watcher;
  };
  const watchBuilder = {
    prefix: () => watchBuilder,
    startRevision: () => watchBuilder,
    watcher: openWatcher,
    // As etcd3's: settles when etcd has created the watch ('connected') or refused it ('error').
    create: () => {
      const watcher = openWatcher();
      return new Promise((resolve, reject) => {
        watcher.once('connected', () => resolve(watcher));
        watcher.once('error', reject);
      });
    },
  };
  const listing = { prefix: () => listing, exec: () => Promise.resolve({ kvs: [], header: { revision: '5' } }) };
  const client = { lease, getAll: () => listing, watch: () => watchBuilder } as unknown as Etcd3;
  return { client, phase, leases, puts, granted, watchers, refusePuts };
}

describe('replica membership', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stopped while its start retries and its rejoin retries both, leaves no key, no lease and no watch behind: nothing joins after stop()', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const lines: string[] = [];
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-a', log: (line) => lines.push(line) });
    // Joined (its key on the first lease) and listed; etcd goes away before it created the watch.
    const starting = membership.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.puts).toEqual([{ stopped: false, lease: 0 }]);
    // The lease is lost meanwhile, and joining again is refused: a retry in 1 s.
    etcd.refusePuts.push(true);
    etcd.leases[0]?.emit('lost', new Error('lease expired'));
    await vi.advanceTimersByTimeAsync(0);
    // Then the watch is refused too: a retry of its own, were there two loops.
    etcd.watchers.at(-1)?.emit('error', new Error('watch refused'));
    await vi.advanceTimersByTimeAsync(0);
    await starting;
    etcd.phase.stopped = true;
    await membership.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(etcd.granted.filter(({ stopped }) => stopped)).toEqual([]);
    expect(etcd.puts.filter(({ stopped }) => stopped)).toEqual([]);
    expect(etcd.leases.filter((lease) => !lease.revoked && lease !== etcd.leases[0])).toEqual([]);
    expect(etcd.watchers.filter((watcher) => !watcher.cancelled && watcher.listenerCount('put') > 0)).toEqual([]);
    expect(membership.members()).toEqual([]);
    expect(lines.some((line) => line.startsWith('replica membership lease lost'))).toBe(true);
  });

  it('stopped while etcd has not created its watch yet, cancels that watch: it is not opened once etcd answers', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-b' });
    void membership.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.watchers).toHaveLength(1);
    await membership.stop();
    expect(etcd.watchers.map((watcher) => watcher.cancelled)).toEqual([true]);
    expect(etcd.leases.map((lease) => lease.revoked)).toEqual([true]);
  });
});
