import { EventEmitter } from 'node:events';
import type { Etcd3, IKeyValue } from 'etcd3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMembership } from './membership';

interface Listing {
  kvs: IKeyValue[];
  header: { revision: string };
}

/** etcd's answer to a put. */
interface Written {
  header: { revision: string };
}

/** A member's key as etcd reports it, last changed (written or, in a delete event, deleted) at `modRevision`. */
const memberKey = (id: string, createRevision: string, modRevision: string): IKeyValue => ({
  key: Buffer.from(`/switchyard/replicas/${id}`),
  value: Buffer.from(JSON.stringify({ host: 'host', pid: 1, startedAt: '2026-01-01T00:00:00.000Z' })),
  create_revision: createRevision,
  mod_revision: modRevision,
  version: '1',
  lease: '0',
});

/** Listings answered by hand, in the order they were asked for. */
function heldListings(etcd: ReturnType<typeof scriptedEtcd>): ((listing: Listing) => void)[] {
  const pending: ((listing: Listing) => void)[] = [];
  etcd.listings.answer = () => new Promise<Listing>((resolve) => pending.push(resolve));
  return pending;
}

/** Puts on a lease answered by hand, in the order they were made. */
function heldPuts(etcd: ReturnType<typeof scriptedEtcd>): ((written: Written) => void)[] {
  const pending: ((written: Written) => void)[] = [];
  etcd.putAnswers.answer = () => new Promise<Written>((resolve) => pending.push(resolve));
  return pending;
}

/**
 * An etcd client the test drives by hand: each lease is an emitter (its 'lost' is emitted by the
 * test), a put on it is refused when `refusePuts` says so (else answered by `putAnswers`, at once
 * by default), and each watch is an emitter whose 'error' the test emits. It notes every grant,
 * put, revoke and open watch, with the test's phase.
 */
function scriptedEtcd() {
  const phase = { stopped: false };
  const leases: (EventEmitter & { revoked: boolean })[] = [];
  const puts: { stopped: boolean; lease: number }[] = [];
  const granted: { stopped: boolean }[] = [];
  const watchers: (EventEmitter & { cancelled: boolean })[] = [];
  const refusePuts: boolean[] = [];
  const putAnswers = { answer: (): Promise<Written> => Promise.resolve({ header: { revision: '5' } }) };
  const lease = () => {
    const current = Object.assign(new EventEmitter(), {
      revoked: false,
      put: () => ({
        value: () => {
          puts.push({ stopped: phase.stopped, lease: leases.indexOf(current) });
          return refusePuts.shift() ? Promise.reject(new Error('UNAVAILABLE')) : putAnswers.answer();
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
  /** Each listing's answer, by default at once and empty; a test may hold them to answer by hand. */
  const listings = { count: 0, answer: (): Promise<Listing> => Promise.resolve({ kvs: [], header: { revision: '5' } }) };
  const listing = {
    prefix: () => listing,
    exec: () => {
      listings.count += 1;
      return listings.answer();
    },
  };
  const client = { lease, getAll: () => listing, watch: () => watchBuilder } as unknown as Etcd3;
  return { client, phase, leases, puts, granted, watchers, refusePuts, putAnswers, listings };
}

/** replica-b started on fake timers, its first listing (answered by hand, at `revision`) showing replica-a, its elder; later listings held. */
async function startedBehindReplicaA(revision: string) {
  vi.useFakeTimers();
  const etcd = scriptedEtcd();
  const listings = heldListings(etcd);
  const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-b' });
  const starting = membership.start();
  await vi.advanceTimersByTimeAsync(0);
  listings.shift()?.({ kvs: [memberKey('replica-a', '3', '3'), memberKey('replica-b', '10', '10')], header: { revision } });
  await starting;
  return { etcd, listings, membership };
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

  it('stopped while its key is being written, does not list itself once etcd answers the put: its lease is revoked, so nobody else sees it either', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const puts = heldPuts(etcd);
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-a' });
    const starting = membership.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(puts).toHaveLength(1);
    await membership.stop();
    expect(etcd.leases.map((lease) => lease.revoked)).toEqual([true]);
    // etcd wrote the key before the revoke reached it (the revoke then deleted it), and says so now.
    puts.shift()?.({ header: { revision: '6' } });
    await starting;
    expect(membership.members()).toEqual([]);
    expect(membership.isLeader()).toBe(false);
    expect(etcd.watchers).toEqual([]);
  });

  it('stopped while its first listing is under way, does not list itself once etcd answers the listing: the listing was read before the revoke deleted its key', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const listings = heldListings(etcd);
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-a' });
    const starting = membership.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(listings).toHaveLength(1);
    await membership.stop();
    listings.shift()?.({ kvs: [memberKey('replica-a', '5', '5')], header: { revision: '5' } });
    await starting;
    expect({ members: membership.members(), watchers: etcd.watchers.length }).toEqual({ members: [], watchers: 0 });
  });

  it('stopped, follows its watch no more while etcd cancels it: an event arriving meanwhile changes nothing and nobody is told', async () => {
    const { etcd, membership } = await startedBehindReplicaA('40');
    const watch = etcd.watchers[0];
    watch?.emit('connected', { header: { revision: '40' } });
    let changes = 0;
    membership.onChange(() => (changes += 1));
    const stopping = membership.stop();
    // etcd has not answered the cancel yet: replica-c joins, and etcd ends the watch.
    watch?.emit('put', memberKey('replica-c', '70', '70'));
    watch?.emit('error', new Error('Watcher canceled: '));
    await stopping;
    expect({ changes, members: membership.members().map(({ id }) => id), watchers: etcd.watchers.length }).toEqual({ changes: 0, members: ['replica-a'], watchers: 1 });
  });

  it('does not list the members again when etcd creates the watch: the watch starts right after the listing', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 2, id: 'replica-b' });
    await membership.start();
    expect(etcd.listings.count).toBe(1);
    etcd.watchers[0]?.emit('connected', { header: { revision: '5' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.listings.count).toBe(1);
    await membership.stop();
  });

  it('a listing read before a delete the watch applied does not bring the deleted member back: the next eldest leads', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('10');
    expect(membership.isLeader()).toBe(false);
    const watch = etcd.watchers[0];
    // etcd creates the watch, then the connection drops and etcd3 re-creates it: a relist.
    watch?.emit('connected', { header: { revision: '10' } });
    watch?.emit('connected', { header: { revision: '10' } });
    await vi.advanceTimersByTimeAsync(0);
    // replica-a stops: the watch applies its delete (revision 11) before the listing, read at 10, answers.
    watch?.emit('delete', memberKey('replica-a', '3', '11'));
    expect(membership.isLeader()).toBe(true);
    for (const answer of listings.splice(0)) answer({ kvs: [memberKey('replica-a', '3', '3'), memberKey('replica-b', '10', '10')], header: { revision: '10' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.members().map(({ id }) => id)).toEqual(['replica-b']);
    expect(membership.isLeader()).toBe(true);
    await membership.stop();
  });

  it('follows etcd restored from a backup: a listing older than the list, with no watch event while it was read, is etcd gone back — taken, and the watch opened again from it', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('40');
    const watch = etcd.watchers[0];
    watch?.emit('connected', { header: { revision: '40' } });
    expect(membership.isLeader()).toBe(false);
    // etcd is restored to a snapshot at revision 20 without replica-a's key; the connection comes back.
    watch?.emit('connected', { header: { revision: '20' } });
    await vi.advanceTimersByTimeAsync(0);
    listings.shift()?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '20' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.members().map(({ id }) => id)).toEqual(['replica-b']);
    // The resumed watch waits at revision 41, which the restored etcd will not reach for a while: opened again from 21.
    await vi.advanceTimersByTimeAsync(1_000);
    listings.shift()?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '20' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(watch?.cancelled).toBe(true);
    expect(etcd.watchers).toHaveLength(2);
    expect(membership.isLeader()).toBe(true);
    await membership.stop();
  });

  it('follows etcd restored from a backup between its listing and the watch\u2019s creation: etcd creating the watch at a revision below the listing\u2019s lists again and opens the watch from there', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('40');
    // Listed at 40; etcd is restored to a snapshot at revision 20 without replica-a's key, then creates the watch (waiting at 41).
    etcd.watchers[0]?.emit('connected', { header: { revision: '20' } });
    await vi.advanceTimersByTimeAsync(1_000);
    listings.shift()?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '20' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.listings.count).toBe(2);
    expect(etcd.watchers.map((watcher) => watcher.cancelled)).toEqual([true, false]);
    expect(membership.members().map(({ id }) => id)).toEqual(['replica-b']);
    expect(membership.isLeader()).toBe(true);
    await membership.stop();
  });

  it('a reconnect\u2019s listing answered after a newer listing was taken is dropped, not taken for etcd going back: the member that left stays gone', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('40');
    const first = etcd.watchers[0];
    first?.emit('connected', { header: { revision: '40' } });
    // The connection comes back (a relist, read at 50), then etcd ends the watch: a new listing and watch.
    first?.emit('connected', { header: { revision: '50' } });
    await vi.advanceTimersByTimeAsync(0);
    const reconnectListing = listings.shift();
    first?.emit('error', new Error('Watcher canceled: '));
    await vi.advanceTimersByTimeAsync(1_000);
    // replica-a left at 55: the new listing, read at 60, is taken first.
    listings.shift()?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '60' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.isLeader()).toBe(true);
    reconnectListing?.({ kvs: [memberKey('replica-a', '3', '3'), memberKey('replica-b', '10', '10')], header: { revision: '50' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.members().map(({ id }) => id)).toEqual(['replica-b']);
    expect(membership.isLeader()).toBe(true);
    await membership.stop();
  });

  it('of two listings for the same watch’s reconnections, the older answered last is dropped, not taken for etcd going back: the member that left stays gone and the watch stays open', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('40');
    const watch = etcd.watchers[0];
    watch?.emit('connected', { header: { revision: '40' } });
    // The connection drops and comes back twice: two relists, read at 50 and (replica-a gone at 55) at 60.
    watch?.emit('connected', { header: { revision: '50' } });
    await vi.advanceTimersByTimeAsync(0);
    watch?.emit('connected', { header: { revision: '60' } });
    await vi.advanceTimersByTimeAsync(0);
    const [readAt50, readAt60] = listings.splice(0);
    readAt60?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '60' } });
    await vi.advanceTimersByTimeAsync(0);
    readAt50?.({ kvs: [memberKey('replica-a', '3', '3'), memberKey('replica-b', '10', '10')], header: { revision: '50' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.members().map(({ id }) => id)).toEqual(['replica-b']);
    expect(membership.isLeader()).toBe(true);
    expect(etcd.watchers).toHaveLength(1);
    await membership.stop();
  });

  it('ignores an event etcd replays from before the listing taken on reconnecting: leadership does not flap, and nobody is told of a change', async () => {
    const { etcd, listings, membership } = await startedBehindReplicaA('40');
    const watch = etcd.watchers[0];
    watch?.emit('connected', { header: { revision: '40' } });
    // The connection comes back; the relist, read at 60, no longer shows replica-a (gone at 55).
    watch?.emit('connected', { header: { revision: '60' } });
    await vi.advanceTimersByTimeAsync(0);
    listings.shift()?.({ kvs: [memberKey('replica-b', '10', '10')], header: { revision: '60' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.isLeader()).toBe(true);
    let changes = 0;
    membership.onChange(() => (changes += 1));
    // Then etcd3's resumed watch delivers what it missed: replica-a written at 45 and deleted at 55.
    watch?.emit('put', memberKey('replica-a', '3', '45'));
    expect(membership.isLeader()).toBe(true);
    watch?.emit('delete', memberKey('replica-a', '3', '55'));
    expect({ changes, members: membership.members().map(({ id }) => id), leader: membership.isLeader() }).toEqual({ changes: 0, members: ['replica-b'], leader: true });
    // A later event is applied.
    watch?.emit('put', memberKey('replica-c', '61', '61'));
    expect({ changes, members: membership.members().map(({ id }) => id) }).toEqual({ changes: 1, members: ['replica-b', 'replica-c'] });
    await membership.stop();
  });

  it('joining again after a lost lease while etcd ends the watch as soon as it is opened, opens the watch a second later, not at once', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const lines: string[] = [];
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 30, id: 'replica-b', log: (line) => lines.push(line) });
    await membership.start();
    const puts = heldPuts(etcd);
    // The lease is lost: joining again, its put not answered yet.
    etcd.leases[0]?.emit('lost', new Error('lease expired'));
    await vi.advanceTimersByTimeAsync(0);
    expect(puts).toHaveLength(1);
    // Meanwhile etcd ends the watch it has just opened, then answers the put.
    etcd.watchers[0]?.emit('error', new Error('Watcher canceled: '));
    puts.shift()?.({ header: { revision: '6' } });
    await vi.advanceTimersByTimeAsync(999);
    expect(etcd.listings.count).toBe(1);
    expect(etcd.watchers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(etcd.listings.count).toBe(2);
    expect(etcd.watchers).toHaveLength(2);
    expect(lines).toEqual([
      'replica membership lease lost (lease expired); joining again',
      'replica membership: watch ended (etcd cancelled it without a reason, as it does when the revision it resumes from is compacted); listing again in 1 s',
    ]);
    await membership.stop();
  });

  it('a watch etcd ends as soon as it is opened is opened again a second later, not at once', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    etcd.listings.answer = () => Promise.resolve({ kvs: [memberKey('replica-b', '5', '5')], header: { revision: '5' } });
    const lines: string[] = [];
    const membership = createMembership({ client: etcd.client, controlPrefix: '/switchyard/', ttlSeconds: 30, id: 'replica-b', log: (line) => lines.push(line) });
    await membership.start();
    expect(etcd.watchers).toHaveLength(1);
    expect(membership.isLeader()).toBe(true);
    // As etcd3 words a watch etcd cancels because the revision it starts from is compacted.
    etcd.watchers[0]?.emit('error', new Error('Watcher canceled: '));
    await vi.advanceTimersByTimeAsync(999);
    expect(etcd.listings.count).toBe(1);
    expect(etcd.watchers).toHaveLength(1);
    expect(membership.isLeader()).toBe(false);
    expect(lines).toEqual([
      'replica membership: watch ended (etcd cancelled it without a reason, as it does when the revision it resumes from is compacted); listing again in 1 s',
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(etcd.listings.count).toBe(2);
    expect(etcd.watchers).toHaveLength(2);
    expect(membership.isLeader()).toBe(true);
    // One that had been open a while is opened again at once.
    await vi.advanceTimersByTimeAsync(5_000);
    etcd.watchers[1]?.emit('error', new Error('Watcher canceled: '));
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.watchers).toHaveLength(3);
    await membership.stop();
  });
});
