import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Etcd3 } from 'etcd3';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { RegistryStatus } from '@/lib/model/live';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createRegistry, type Registry } from '@/lib/server/registry/sync';
import { WATCH_EVENTS_PER_TURN } from '@/lib/server/registry/watch-applier';
import { createStore, type RegistryTarget, type Store } from '@/lib/server/store/store';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually } from '../support/server';
import { actWhileListing } from '../support/while-listing';

/** A decoder that throws for keys under /services/undecodable/ while `throwsLeft` lasts; the real one otherwise. */
const decoding = vi.hoisted(() => ({ throwsLeft: 0 }));
vi.mock('@/lib/server/registry/decode', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/server/registry/decode')>();
  return {
    ...actual,
    decodeEntry: (...args: Parameters<typeof actual.decodeEntry>) => {
      if (args[0].key.startsWith('/services/undecodable/') && decoding.throwsLeft > 0) {
        decoding.throwsLeft -= 1;
        throw new Error('decoder broken on purpose');
      }
      return actual.decodeEntry(...args);
    },
  };
});

interface Dashboard {
  store: Store;
  registry: Registry;
  client: Etcd3;
  heard: Heard;
  stop(): Promise<void>;
}

interface DashboardOptions {
  /** Wraps the store the registry writes to (default: the store itself). */
  target?: (store: Store) => RegistryTarget;
  /** Changes the dashboard's etcd client before the registry gets it. */
  patchClient?: (client: Etcd3) => void;
  prefixes?: string[];
  maxPendingWatchEvents?: number;
  heartbeatMs?: number;
  /** How the registry waits between attempts (default: its timer). */
  wait?: (ms: number) => Promise<void>;
}

/** What a dashboard's registry said: its log, history events, relists, and every status it was given. */
interface Heard {
  log: string[];
  history: NewHistoryEvent[];
  relists: number;
  statuses: Omit<RegistryStatus, 'since'>[];
}

async function startDashboard(endpoint: string, options: DashboardOptions = {}): Promise<Dashboard> {
  const client = createEtcdClient({ endpoints: [endpoint] });
  options.patchClient?.(client);
  const store = createStore({ coalesceMs: 20 });
  const heard: Heard = { log: [], history: [], relists: 0, statuses: [] };
  const target = (options.target ?? ((inner) => inner))(store);
  const registry = createRegistry({
    client,
    store: {
      ...target,
      setRegistryStatus(status) {
        heard.statuses.push(status);
        target.setRegistryStatus(status);
      },
    },
    prefixes: options.prefixes ?? [],
    controlPrefix: '/switchyard/',
    counters: { watchEvents: () => undefined, relists: () => (heard.relists += 1) },
    log: (message) => heard.log.push(message),
    onHistory: (event) => heard.history.push(event),
    heartbeatMs: options.heartbeatMs ?? 300,
    ...(options.maxPendingWatchEvents === undefined ? {} : { maxPendingWatchEvents: options.maxPendingWatchEvents }),
    ...(options.wait ? { wait: options.wait } : {}),
  });
  registry.start();
  await registry.synced();
  return {
    heard,
    store,
    registry,
    client,
    async stop() {
      await registry.stop();
      store.close();
      client.close();
    },
  };
}

/**
 * Turns of the event loop, counted by an immediate that queues itself again: what is done in one
 * synchronous run, or between two of the counter's immediates, sees one count.
 */
function countTurns(): { turn: () => number; stop: () => void } {
  let turn = 0;
  let counting = true;
  const count = (): void => {
    turn += 1;
    if (counting) setImmediate(count);
  };
  count();
  return { turn: () => turn, stop: () => (counting = false) };
}

/**
 * Iterations of the event loop, counted in the timers phase by a timeout that queues itself again:
 * unlike `countTurns`, a poll phase and the check phase after it see one count. An iteration shorter
 * than the timer's 1 ms can share a count with the next (see `costly`).
 */
function countTimerTurns(): { turn: () => number; stop: () => void } {
  let turn = 0;
  let counting = true;
  const count = (): void => {
    turn += 1;
    if (counting) setTimeout(count, 0);
  };
  count();
  return { turn: () => turn, stop: () => (counting = false) };
}

/**
 * A target whose removals take at least 10 µs each, as a real one's do (lost tracker, history): 250
 * of them then outlast the 1 ms of `countTimerTurns`'s timer, so two iterations that each apply 250
 * cannot share one of its counts.
 */
const costly = (store: RegistryTarget): RegistryTarget => ({
  ...store,
  removeKey(etcdKey) {
    const until = process.hrtime.bigint() + 10_000n;
    while (process.hrtime.bigint() < until);
    store.removeKey(etcdKey);
  },
});

/** A target that notes the turn each removal of a key under `prefix` happened in. */
const notingRemovals =
  (prefix: string, turn: () => number, turns: number[]) =>
  (store: RegistryTarget): RegistryTarget => ({
    ...store,
    removeKey(etcdKey) {
      if (etcdKey.startsWith(prefix)) turns.push(turn());
      store.removeKey(etcdKey);
    },
  });

const mostInOneTurn = (turns: number[]): number => {
  const perTurn = new Map<number, number>();
  for (const at of turns) perTurn.set(at, (perTurn.get(at) ?? 0) + 1);
  return Math.max(0, ...perTurn.values());
};

/** Puts `count` registrations under `prefix` (`<prefix>m-<i>`), 100 to a transaction. */
async function putMany(etcd: TestEtcd, prefix: string, count: number, port = 40_000): Promise<void> {
  for (let batch = 0; batch * 100 < count; batch += 1) {
    const size = Math.min(100, count - batch * 100);
    await etcd.client
      .if('/services/none', 'Version', '==', 0)
      .then(...Array.from({ length: size }, (_, i) => etcd.client.put(`${prefix}m-${batch * 100 + i}`).value(native(port + batch * 100 + i))))
      .commit();
  }
}

const instanceKeys = (store: Store): string[] => [...store.instances()].map((i) => i.key).sort();
const native = (port: number): string => JSON.stringify({ address: `127.0.0.1:${port}` });
const sameAsEtcd = async (etcd: TestEtcd, dashboard: Dashboard, prefix = '/services/'): Promise<true | undefined> => {
  const truth = (await etcd.etcdctlKeys(prefix)).sort();
  const seen = instanceKeys(dashboard.store).filter((key) => key.startsWith(prefix));
  return JSON.stringify(truth) === JSON.stringify(seen) ? true : undefined;
};

let etcd: TestEtcd;
let dashboard: Dashboard | undefined;
const active = (): Dashboard => {
  if (!dashboard) throw new Error('no dashboard running');
  return dashboard;
};

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd.stop();
});
afterEach(async () => {
  await dashboard?.stop();
  dashboard = undefined;
  await etcd.client.delete().all();
});

describe('registry against a real etcd', () => {
  it('shows a registration, forgets a delete, and drops a key whose lease expires', async () => {
    await etcd.put('/services/users/u-1', native(9001));
    dashboard = await startDashboard(etcd.endpoint);
    expect(instanceKeys(dashboard.store)).toEqual(['/services/users/u-1']);

    // A lease long enough to be seen before it expires on a busy machine, short enough to wait out.
    await etcd.put('/services/users/u-2', native(9002), 4);
    await eventually(() => (dashboard?.store.instanceCount() === 2 ? true : undefined), 3_000, 'u-2 to appear');
    await eventually(() => [...(dashboard?.store.instances() ?? [])].find((i) => i.id === 'u-2')?.leaseTtl, 3_000, 'lease TTL');

    await etcd.delete('/services/users/u-1');
    await eventually(() => (instanceKeys(active().store).includes('/services/users/u-1') ? undefined : true), 3_000, 'u-1 to go');
    await eventually(() => (dashboard?.store.instanceCount() === 0 ? true : undefined), 10_000, 'lease expiry');
  });

  it('keeps up with a burst of 2,000 puts and ends equal to etcd', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 2_000; i += 1) writes.push(etcd.client.put(`/services/svc-${i % 50}/i-${i}`).value(native(10_000 + i)).exec());
    await Promise.all(writes);
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    expect(dashboard.store.instanceCount()).toBe(2_000);
  });

  it('applies a delete of 2,000 keys (one watch response) a few hundred events per turn of the event loop, what follows it after it', async () => {
    await putMany(etcd, '/services/mass/', 2_000);
    const turns = countTurns();
    const turnsOfRemovals: number[] = [];
    try {
      dashboard = await startDashboard(etcd.endpoint, { target: notingRemovals('/services/mass/', turns.turn, turnsOfRemovals) });
      expect(dashboard.store.instanceCount()).toBe(2_000);
      await etcd.client.delete().prefix('/services/mass/');
      await etcd.put('/services/mass/m-7', native(50_007));
      await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    } finally {
      turns.stop();
    }
    expect(instanceKeys(dashboard.store)).toEqual(['/services/mass/m-7']);
    expect(turnsOfRemovals).toHaveLength(2_000);
    expect(new Set(turnsOfRemovals).size).toBeGreaterThanOrEqual(2_000 / WATCH_EVENTS_PER_TURN);
    expect(mostInOneTurn(turnsOfRemovals)).toBeLessThanOrEqual(WATCH_EVENTS_PER_TURN);
    // The revision moved on to the put's once each response was wholly applied.
    expect(BigInt(dashboard.store.revision())).toBeGreaterThanOrEqual(BigInt((await etcd.client.get('/services/mass/m-7').exec()).header.revision));
  });

  it('keeps to 250 events per turn however the events come: 40 concurrent transactions of 100 deletes', async () => {
    await putMany(etcd, '/services/mass/', 4_000);
    const turns = countTurns();
    const turnsOfRemovals: number[] = [];
    try {
      dashboard = await startDashboard(etcd.endpoint, { target: notingRemovals('/services/mass/', turns.turn, turnsOfRemovals) });
      expect(dashboard.store.instanceCount()).toBe(4_000);
      await Promise.all(
        Array.from({ length: 40 }, (_, batch) =>
          etcd.client
            .if('/services/none', 'Version', '==', 0)
            .then(...Array.from({ length: 100 }, (_, i) => etcd.client.delete().key(`/services/mass/m-${batch * 100 + i}`)))
            .commit(),
        ),
      );
      await eventually(() => (active().store.instanceCount() === 0 ? true : undefined), 10_000, 'every instance gone');
    } finally {
      turns.stop();
    }
    expect(turnsOfRemovals).toHaveLength(4_000);
    expect(mostInOneTurn(turnsOfRemovals)).toBeLessThanOrEqual(WATCH_EVENTS_PER_TURN);
    expect(BigInt(dashboard.store.revision())).toBeGreaterThanOrEqual(BigInt((await etcd.client.get('/services/none').exec()).header.revision));
  });

  it('keeps to 250 events per turn when 2,000 keys are deleted one by one at once (many small responses read together, as a mass lease expiry\u2019s are)', async () => {
    await putMany(etcd, '/services/mass/', 2_000);
    const turns = countTurns();
    const turnsOfRemovals: number[] = [];
    const timerTurns = countTimerTurns();
    const timerTurnsOfRemovals: number[] = [];
    try {
      dashboard = await startDashboard(etcd.endpoint, {
        target: (store) => notingRemovals('/services/mass/', timerTurns.turn, timerTurnsOfRemovals)(notingRemovals('/services/mass/', turns.turn, turnsOfRemovals)(costly(store))),
        // A heartbeat asked just before the loop is held would pass its deadline and relist.
        heartbeatMs: 60_000,
      });
      // Another process deletes the keys one by one while this one's loop is held: their 2,000
      // responses then arrive together, as a mass lease expiry's do on a busy dashboard. (Holding
      // the loop until 1,000 leases expired took seconds, past the gRPC keepalive's 2 s timeout:
      // the connection dropped and a relist removed what the watch should have.)
      const deleting = spawnSync(
        process.execPath,
        [
          '-e',
          `const { Etcd3 } = require('etcd3'); const client = new Etcd3({ hosts: ${JSON.stringify(etcd.endpoint)} });
           Promise.all(Array.from({ length: 2000 }, (_, i) => client.delete().key('/services/mass/m-' + i).exec())).then(() => client.close(), (error) => { console.error(error); process.exit(1); });`,
        ],
        { timeout: 30_000, encoding: 'utf8' },
      );
      expect(deleting.status, deleting.stderr).toBe(0);
      await eventually(() => (active().store.instanceCount() === 0 ? true : undefined), 10_000, 'every deleted instance gone');
    } finally {
      turns.stop();
      timerTurns.stop();
    }
    // Every one removed by the watch, none by a relist.
    expect(turnsOfRemovals, dashboard.heard.log.join('\n')).toHaveLength(2_000);
    expect(mostInOneTurn(turnsOfRemovals)).toBeLessThanOrEqual(WATCH_EVENTS_PER_TURN);
    // Poll and check phases of one iteration together: the budget was renewed in the check phase of the iteration whose poll phase had spent it (~500).
    expect(mostInOneTurn(timerTurnsOfRemovals)).toBeLessThanOrEqual(WATCH_EVENTS_PER_TURN);
  });

  it('says synced (and resolves synced()) only once the events held while the listing was applied are applied too', async () => {
    await putMany(etcd, '/services/mass/', 2_000);
    let held: { done: () => boolean } | undefined;
    const atSynced: number[] = [];
    // Between the first watcher and the second, the listing is done and not yet applied:
    // a delete of 2,000 keys then is held, and applied after the listing.
    const patchClient = (client: Etcd3): void => {
      held = actWhileListing(client, () => etcd.client.delete().prefix('/services/mass/').exec(), 2_000, 'the delete');
    };
    let inner: Store | undefined;
    dashboard = await startDashboard(etcd.endpoint, {
      prefixes: ['/services/'],
      patchClient,
      target: (store) => {
        inner = store;
        return {
          ...store,
          setRegistryStatus(status) {
            if (status.state === 'synced') atSynced.push(store.instanceCount());
            store.setRegistryStatus(status);
          },
        };
      },
    });
    expect(held?.done()).toBe(true);
    expect(inner).toBe(dashboard.store);
    // synced() resolved: the held delete is wholly applied, and was when the status said synced.
    expect(dashboard.store.instanceCount()).toBe(0);
    expect(atSynced).toEqual([0]);
    expect(dashboard.store.registryStatus().state).toBe('synced');
    // Meanwhile it said it was catching up, not synced.
    expect(dashboard.heard.statuses.at(-2)).toMatchObject({ state: 'connecting', phase: 'catching-up', message: expect.stringMatching(/applying the \d+ watch events that arrived meanwhile/) });
  });

  it('relists, without calling it an etcd outage, when more events wait than the bound', async () => {
    await putMany(etcd, '/services/mass/', 2_000);
    dashboard = await startDashboard(etcd.endpoint, { maxPendingWatchEvents: 500 });
    const { heard } = dashboard;
    expect(heard.relists).toBe(1);
    await etcd.client.delete().prefix('/services/mass/');
    await etcd.put('/services/mass/m-7', native(50_007));
    await eventually(() => (heard.relists >= 2 ? true : undefined), 10_000, 'a relist');
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    await eventually(() => (active().store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'synced again');
    expect(instanceKeys(dashboard.store)).toEqual(['/services/mass/m-7']);
    expect(heard.log.join('\n')).toMatch(/watch backlog of \d+ events not yet applied is over 500/);
    expect(heard.statuses.map((status) => status.state)).not.toContain('unreachable');
    expect(heard.history.map((event) => event.kind)).not.toContain('registry.disconnected');
    expect(heard.history.find((event) => event.kind === 'registry.resynced')?.detail).toMatch(/after watch backlog/);
  });

  it('grows the backlog bound after each relist it caused, so more writes than the bound while etcd is listed still end synced', async () => {
    /** Listings still to be followed by 2,000 writes before they return: what the watch replays from the listing's revision on. */
    let loadedListings = 0;
    let batch = 0;
    let thrown = false;
    dashboard = await startDashboard(etcd.endpoint, {
      maxPendingWatchEvents: 500,
      wait: () => Promise.resolve(),
      target: (store) => ({
        ...store,
        upsertKey(key) {
          if (key.etcdKey === '/services/trigger/t' && !thrown) {
            thrown = true;
            throw new Error('broken on purpose');
          }
          store.upsertKey(key);
        },
      }),
      patchClient: (client) => {
        const kv = client.kv;
        const range = kv.range.bind(kv);
        Object.assign(kv, {
          range: async (...args: Parameters<typeof range>) => {
            const response = await range(...args);
            if (args[0].limit !== undefined && !response.more && loadedListings > 0) {
              loadedListings -= 1;
              batch += 1;
              await putMany(etcd, `/services/load-${batch}/`, 2_000);
            }
            return response;
          },
        });
      },
    });
    const { heard } = dashboard;
    loadedListings = 8;
    await etcd.put('/services/trigger/t', native(30_001));
    await eventually(() => (thrown ? true : undefined), 10_000, 'the relist to begin');
    await eventually(() => sameAsEtcd(etcd, active()), 30_000, 'dashboard to equal etcd');
    await eventually(() => (active().store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'synced again');
    const trips = heard.log.filter((line) => line.includes('watch backlog of'));
    // The replay of 2,000 events (one response) is over 500, then over 1,000, and fits 2,000: synced while etcd was still written to.
    expect(trips.length).toBeGreaterThanOrEqual(1);
    expect(trips.length).toBeLessThanOrEqual(3);
    expect(loadedListings).toBeGreaterThan(0);
    expect(heard.history.map((event) => event.kind)).not.toContain('registry.disconnected');
  });

  it('says what failed when applying an event throws, relists, and reports no etcd outage nor an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 50; i += 1) await etcd.put(`/services/x/x-${i}`, native(30_000 + i));
      let thrown = false;
      dashboard = await startDashboard(etcd.endpoint, {
        target: (store) => ({
          ...store,
          removeKey(etcdKey) {
            if (etcdKey === '/services/x/x-13' && !thrown) {
              thrown = true;
              throw new Error('broken on purpose');
            }
            store.removeKey(etcdKey);
          },
        }),
      });
      const { heard } = dashboard;
      await etcd.client.delete().prefix('/services/x/');
      await etcd.put('/services/x/x-99', native(30_099));
      await eventually(() => (heard.relists >= 2 ? true : undefined), 10_000, 'a relist');
      await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
      await eventually(() => (active().store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'synced again');
      expect(thrown).toBe(true);
      expect(heard.log.join('\n')).toMatch(/applying the watched delete of \/services\/x\/x-13 \(revision \d+\) failed: .*broken on purpose/);
      expect(heard.statuses.map((status) => status.state)).not.toContain('unreachable');
      expect(heard.statuses).toContainEqual({ state: 'connecting', phase: 'relisting', message: expect.stringMatching(/^relisting: applying the watched delete of \/services\/x\/x-13/) });
      expect(heard.history.map((event) => event.kind)).not.toContain('registry.disconnected');
      expect(heard.history.find((event) => event.kind === 'registry.resynced')?.detail).toMatch(/after applying the watched delete of \/services\/x\/x-13/);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('backs off after our own failures in a row (250 ms doubling to 30 s), logs the stack once per cause, and starts from 250 ms again once synced', async () => {
    const pauses: number[] = [];
    let broken = false;
    const thrownFor = new Set<string>();
    let resume: () => void = () => undefined;
    dashboard = await startDashboard(etcd.endpoint, {
      target: (store) => ({
        ...store,
        replaceAll(...args: Parameters<RegistryTarget['replaceAll']>) {
          if (broken) throw new Error('listing broken on purpose');
          store.replaceAll(...args);
        },
        upsertKey(key) {
          if (key.etcdKey.startsWith('/services/boom/') && !thrownFor.has(key.etcdKey)) {
            thrownFor.add(key.etcdKey);
            throw new Error('put broken on purpose');
          }
          store.upsertKey(key);
        },
      }),
      // The tenth pause lasts until the test ends it; the others end at once.
      wait: (ms) => {
        pauses.push(ms);
        return pauses.length === 10 ? new Promise((resolve) => (resume = resolve)) : Promise.resolve();
      },
    });
    const { heard } = dashboard;
    broken = true;
    await etcd.put('/services/boom/b-1', native(30_001));
    await eventually(() => (pauses.length >= 10 ? true : undefined), 10_000, 'ten relists');
    expect(pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    const listingFailures = heard.log.filter((line) => line.includes('applying the listing failed: listing broken on purpose'));
    expect(listingFailures).toHaveLength(9);
    expect(listingFailures.filter((line) => line.includes('\n'))).toHaveLength(1);
    expect(listingFailures.at(-1)).toMatch(/\(9 times so far, 10 in a row\); relisting in 30 s$/);
    expect(heard.log.filter((line) => line.includes('put broken on purpose') && line.includes('\n'))).toHaveLength(1);
    expect(heard.history.map((event) => event.kind)).not.toContain('registry.disconnected');
    broken = false;
    resume();
    await eventually(() => (active().store.registryStatus().state === 'synced' ? true : undefined), 10_000, 'synced again');
    await etcd.put('/services/boom/b-2', native(30_002));
    await eventually(() => (pauses.length >= 11 ? true : undefined), 10_000, 'a relist after the next failure');
    expect(pauses[10]).toBe(250);
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
  });

  it('calls a listing that fails to decode our own failure, not an etcd outage', async () => {
    dashboard = await startDashboard(etcd.endpoint, { wait: () => Promise.resolve() });
    const { heard } = dashboard;
    // The watched put fails to decode, then the relist's listing does; the next listing decodes.
    decoding.throwsLeft = 2;
    await etcd.put('/services/undecodable/u-1', native(30_001));
    await eventually(() => (heard.relists >= 2 ? true : undefined), 10_000, 'a relist');
    await eventually(() => (active().store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'synced again');
    expect(decoding.throwsLeft).toBe(0);
    expect(heard.log.join('\n')).toMatch(/decoding the listing failed: decoder broken on purpose/);
    expect(heard.statuses.map((status) => status.state)).not.toContain('unreachable');
    expect(heard.statuses).toContainEqual({ state: 'connecting', phase: 'relisting', message: 'relisting: decoding the listing failed: decoder broken on purpose' });
    expect(heard.history.map((event) => event.kind)).not.toContain('registry.disconnected');
    expect(instanceKeys(active().store)).toContain('/services/undecodable/u-1');
  });

  it('applies nothing more of a response once a lineage-marker change in it ended the session', async () => {
    const upserted: string[] = [];
    dashboard = await startDashboard(etcd.endpoint, {
      target: (store) => ({
        ...store,
        upsertKey(decoded) {
          upserted.push(decoded.etcdKey);
          store.upsertKey(decoded);
        },
      }),
    });
    const { heard } = dashboard;
    await etcd.client
      .if('/services/none', 'Version', '==', 0)
      .then(
        etcd.client.put('/switchyard/lineage').value('another-lineage'),
        ...Array.from({ length: 100 }, (_, i) => etcd.client.put(`/services/after/a-${i}`).value(native(35_000 + i))),
      )
      .commit();
    await eventually(() => (heard.relists >= 2 ? true : undefined), 10_000, 'a relist');
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    expect(dashboard.store.instanceCount()).toBe(100);
    expect(upserted.filter((key) => key.startsWith('/services/after/'))).toEqual([]);
  });

  it('survives etcd being killed and restarted mid-burst, ending equal to etcd', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    for (let i = 0; i < 200; i += 1) await etcd.client.put(`/services/burst/b-${i}`).value(native(20_000 + i));
    const WRITES = 600;
    let written = 0;
    let failedWrites = 0;
    const writer = (async () => {
      const writerClient = createEtcdClient({ endpoints: [etcd.endpoint] });
      for (let i = 0; i < WRITES; i += 1) {
        const key = `/services/burst/b-${i % 300}`;
        for (;;) {
          try {
            if (i % 3 === 0) await writerClient.delete().key(key);
            else await writerClient.put(key).value(native(30_000 + i));
            written += 1;
            break;
          } catch {
            failedWrites += 1;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
      writerClient.close();
    })();
    await eventually(() => (written >= 20 ? true : undefined), 5_000, 'the burst to be under way');
    await etcd.local.stop(true);
    // Killed mid-burst: some writes landed, the rest wait for etcd to come back.
    const writtenAtKill = written;
    expect(writtenAtKill).toBeLessThan(WRITES);
    await eventually(() => (dashboard?.store.registryStatus().state === 'unreachable' ? true : undefined), 5_000, 'unreachable status');
    await eventually(() => (failedWrites > 0 ? true : undefined), 5_000, 'a write to fail against the dead etcd');
    expect(written - writtenAtKill).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_000));
    await etcd.local.restart();
    const backAt = Date.now();
    await eventually(() => (dashboard?.store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'resync');
    expect(Date.now() - backAt).toBeLessThan(2_000);
    await writer;
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd after the outage');
  });

  describe('behind a partition', () => {
    let proxy: CuttableProxy;
    beforeAll(async () => {
      proxy = await startProxy(etcd.endpoint);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('applies removals and additions hidden by a compaction while it was cut off', async () => {
      for (let i = 0; i < 20; i += 1) await etcd.put(`/services/gap/g-${i}`, native(40_000 + i));
      dashboard = await startDashboard(proxy.endpoint);
      expect(dashboard.store.instanceCount()).toBe(20);
      proxy.cut();
      await eventually(() => (dashboard?.store.registryStatus().state === 'unreachable' ? true : undefined), 5_000, 'unreachable');
      for (let i = 0; i < 10; i += 1) await etcd.delete(`/services/gap/g-${i}`);
      for (let i = 20; i < 25; i += 1) await etcd.put(`/services/gap/g-${i}`, native(40_000 + i));
      const { header } = await etcd.client.kv.range({ key: Buffer.from('/') });
      await etcd.client.kv.compact({ revision: header.revision, physical: true });
      proxy.restore();
      await eventually(() => (dashboard?.store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'resync');
      await eventually(() => sameAsEtcd(etcd, active()), 5_000, 'gap applied');
      expect(dashboard.store.instanceCount()).toBe(15);
    });

    it('relists when etcd comes back as a different cluster with a lower revision', async () => {
      for (let i = 0; i < 50; i += 1) await etcd.put(`/services/old/o-${i}`, native(41_000 + i));
      dashboard = await startDashboard(proxy.endpoint);
      const other = await startEtcd();
      try {
        await other.put('/services/restored/r-1', native(42_000));
        proxy.cut();
        proxy.restore(other.endpoint);
        await eventually(() => (instanceKeys(active().store).join() === '/services/restored/r-1' ? true : undefined), 5_000, 'the other cluster');
      } finally {
        proxy.cut();
        proxy.restore(etcd.endpoint);
        await other.stop();
      }
    });
  });

  it('keeps each go-micro node its own status when the node list is reordered or shrinks', async () => {
    const etcdKey = '/micro/registry/users/n1';
    const nodes = (...ids: string[]): string =>
      JSON.stringify({ name: 'users', version: '1', nodes: ids.map((id) => ({ id, address: `127.0.0.1:${9_100 + Number(id.slice(1))}`, metadata: null })) });
    const put = async (value: string): Promise<bigint> => BigInt((await etcd.client.put(etcdKey).value(value).exec()).header.revision);
    const applied = (revision: bigint) => (): true | undefined => (BigInt(active().store.revision()) >= revision ? true : undefined);
    const statusOf = (id: string): string | undefined => [...active().store.instances()].find((instance) => instance.id === id)?.status;

    await put(nodes('n1', 'n2', 'n3'));
    dashboard = await startDashboard(etcd.endpoint);
    expect(dashboard.store.instanceCount()).toBe(3);
    const keyOf = (id: string): string => [...active().store.instances()].find((instance) => instance.id === id)?.key ?? '';
    dashboard.store.setHealth(keyOf('n1'), { status: 'critical', statusCause: 'HTTP 503' });
    dashboard.store.setHealth(keyOf('n3'), { status: 'passing', statusCause: 'HTTP 200' });

    await eventually(applied(await put(nodes('n3', 'n2', 'n1'))), 2_000, 'the reordered list');
    expect([statusOf('n1'), statusOf('n2'), statusOf('n3')]).toEqual(['critical', 'unknown', 'passing']);

    await eventually(applied(await put(nodes('n1'))), 2_000, 'the shrunk list');
    expect(dashboard.store.instanceCount()).toBe(1);
    expect(statusOf('n1')).toBe('critical');
  });

  it('keeps keys that differ only in invalid UTF-8 bytes apart: two instances, deleting one leaves the other', async () => {
    const twin = (last: number): Buffer => Buffer.concat([Buffer.from('/services/u8/a'), Buffer.from([last])]);
    await etcd.client.put(twin(0xff)).value(native(9_201)).exec();
    await etcd.client.put(twin(0xfe)).value(native(9_202)).exec();
    dashboard = await startDashboard(etcd.endpoint);
    const ids = (): string[] => [...active().store.instances()].map((instance) => instance.id).sort();
    expect(ids()).toEqual(['a\\xfe', 'a\\xff']);
    expect(new Set([...dashboard.store.instances()].map((instance) => instance.key)).size).toBe(2);

    const { header } = await etcd.client.kv.deleteRange({ key: twin(0xff) });
    await eventually(() => (BigInt(active().store.revision()) >= BigInt(header.revision) ? true : undefined), 2_000, 'the delete');
    expect(ids()).toEqual(['a\\xfe']);
    expect([...dashboard.store.instances()][0]?.address).toBe('127.0.0.1:9202');
  });

  it('ignores hostile values without failing, and keeps hostile names as data', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    await etcd.put('/services/<img src=x onerror=alert(1)>/x', native(43_000));
    await etcd.put('/services/proto/p', Buffer.from('{"address":"127.0.0.1:1","metadata":{"__proto__":{"polluted":"yes"}}}'));
    await etcd.put('/services/bad-utf8/b', Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]));
    await etcd.put('/services/huge/h', Buffer.alloc(1024 * 1024, 0x61));
    await etcd.put('/services/wrong-shape/w', '[1,2,3]');
    await etcd.put('/config/feature-flags', '{"dark":true}');
    await etcd.put('/services/after/a', native(43_001));
    await eventually(() => (instanceKeys(active().store).includes('/services/after/a') ? true : undefined), 2_000, 'later key');
    const names = dashboard.store.snapshot().services.map((s) => s.name);
    expect(names).toContain('<img src=x onerror=alert(1)>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(names).not.toContain('huge');
    expect(dashboard.store.registryStatus().state).toBe('synced');
    const diagnostics = dashboard.registry.diagnostics();
    expect(diagnostics.unrecognised.find((u) => u.prefix === '/config/')?.count).toBe(1);
  });
});
