import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Delta } from '@/lib/model/live';
import type { Departure } from '@/lib/model/status/lost';
import { listServices } from '@/lib/model/state';
import { createStore, type Store } from '../store/store';
import { createLostTracker, LOST_KEY_PREFIX, MAX_DEPARTED_CHECKS, registeredKeyOf, type LostTracker, type LostTrackerOptions } from './tracker';

let store: Store;
let tracker: LostTracker;
afterEach(() => {
  tracker.stop();
  store.close();
  vi.useRealTimers();
});

const registration = (id: string, address = `10.0.0.${id.length}:80`) => ({ service: 'users', id, address, format: 'native' as const, metadata: {} });

/** The registry's verdict on every going key's lease in a test. */
let leaseAfter: Departure['lease'];

function setup(lease: Departure['lease'], clock = { t: Date.parse('2026-12-03T09:32:41Z') }, departed: Pick<LostTrackerOptions, 'probeDeparted' | 'departedCheckMs' | 'onDeparted' | 'maxDepartedChecks' | 'maxQueuedDepartures' | 'log'> = {}) {
  leaseAfter = lease;
  store = createStore({ coalesceMs: 0 });
  const history: NewHistoryEvent[] = [];
  tracker = createLostTracker({ store, retentionSeconds: 60, onHistory: (event) => history.push(event), now: () => clock.t, sweepMs: 1_000, ...departed });
  for (const id of ['a', 'bb']) store.upsertKey({ etcdKey: `/s/users/${id}`, lease: '7', registrations: [registration(id)] });
  store.flush();
  return { history, clock };
}

const failProbe = (key: string, at: string): void => store.setHealth(key, { status: 'passing', statusCause: 'probe OK', lastProbe: { at, ok: false, latencyMs: 1, error: 'connection refused' } });
const passProbe = (key: string, at: string): void => store.setHealth(key, { status: 'passing', statusCause: 'probe OK', lastProbe: { at, ok: true, latencyMs: 1 } });

/** What the registry does on a delete event: tell the tracker, then remove the key. */
async function expire(etcdKey: string, revision?: string): Promise<void> {
  tracker.keyGoing(etcdKey, Promise.resolve(leaseAfter), revision);
  store.removeKey(etcdKey);
  store.flush();
  // The lease answer is a resolved promise: one turn of the event loop delivers it.
  await new Promise((resolve) => setImmediate(resolve));
  store.flush();
}

const users = () => listServices({ services: new Map([['users', new Map([...store.instances()].map((i) => [i.key, i]))]]) })[0];

/** Instance a, its last probe `probe`, goes and etcd's verdict on its lease is `lease`: only bb is left, and no history row says a loss. */
async function goesWithoutLoss(lease: Departure['lease'], probe: typeof failProbe): Promise<void> {
  const { history } = setup(lease);
  probe('/s/users/a', '2026-12-03T09:32:36.000Z');
  store.flush();
  await expire('/s/users/a');
  expect([...store.instances()].map((i) => i.id)).toEqual(['bb']);
  expect(history).toEqual([]);
}

/** Instance a lost (its lease expired after a failing probe): the loss the tracker holds, with setup's history and clock. */
async function lossOfA() {
  const { history, clock } = setup('gone');
  failProbe('/s/users/a', '2026-12-03T09:32:31.000Z');
  store.flush();
  await expire('/s/users/a');
  const [held] = tracker.held();
  if (!held?.instance.lost) throw new Error('no loss held');
  return { history, clock, instance: held.instance, removedAt: held.removedAt };
}

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
    tracker.keyGoing('/s/users/a', Promise.resolve(leaseAfter));
    store.removeKey('/s/users/a');
    store.flush();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.changes.map((change) => (change.op === 'upsert' ? `upsert ${change.instance.id} lost=${Boolean(change.instance.lost)}` : `remove ${change.key}`))).toEqual([
      'upsert a lost=true',
      'remove /s/users/a',
    ]);
  });

  it('takes the stand-in back without a loss when etcd says the lease lives (an explicit delete)', () => goesWithoutLoss('alive', failProbe));

  it('takes the stand-in back without a loss when the lease was revoked before it could expire (a deregistration)', () => goesWithoutLoss('revoked', failProbe));

  it('removes a gracefully stopped instance without a loss', () => goesWithoutLoss('gone', passProbe));

  it('tells which departures were on purpose: deregistered, drained, shut down passing, taken back or dismissed; never a loss or its end', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const departed: string[] = [];
    const { clock } = setup('gone', undefined, { onDeparted: (service) => departed.push(service) });
    const register = (id: string): void => {
      store.upsertKey({ etcdKey: `/s/users/${id}`, lease: '7', registrations: [registration(id, `10.0.1.${id.length}:${id.charCodeAt(0)}`)] });
      store.flush();
    };
    /** Its key goes after a passing or failing probe, etcd's verdict on its lease `lease`: the departures told meanwhile. */
    const goes = async (id: string, probe: 'passing' | 'failing', lease: Departure['lease']): Promise<string[]> => {
      (probe === 'passing' ? passProbe : failProbe)(`/s/users/${id}`, '2026-12-03T09:32:36.000Z');
      store.flush();
      leaseAfter = lease;
      departed.length = 0;
      await expire(`/s/users/${id}`);
      return [...departed];
    };

    // Shut down while its probes passed, and drained first: on purpose, at once.
    expect(await goes('a', 'passing', 'gone')).toEqual(['users']);
    register('dr');
    store.setDrain('users', 'dr', { by: 'alice', reason: 'deploy', at: '2026-12-03T09:30:00.000Z' });
    expect(await goes('dr', 'failing', 'gone')).toEqual(['users']);
    // Failing when its key went: lost, not on purpose; once etcd says the lease was revoked, a deregistration after all.
    expect(await goes('bb', 'failing', 'gone')).toEqual([]);
    register('rv');
    expect(await goes('rv', 'failing', 'revoked')).toEqual(['users']);

    // A loss dismissed by an operator is on purpose; one whose retention ends is not.
    register('ccc');
    expect(await goes('ccc', 'failing', 'gone')).toEqual([]);
    departed.length = 0;
    expect(tracker.dismiss('users', 'ccc', 'alice')).toMatchObject({ ok: true });
    expect(departed).toEqual(['users']);
    departed.length = 0;
    clock.t += 61_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(0);
    expect(departed).toEqual([]);
  });

  describe('an instance whose lease ended while its probes passed (a graceful shutdown, or an etcd session lost under a live process)', () => {
    /** The departed address's answers in turn, and who was probed when (ms after the key went). */
    function departing(answers: boolean[], lease: Departure['lease'] = 'gone', limits: Pick<LostTrackerOptions, 'maxDepartedChecks' | 'maxQueuedDepartures' | 'log'> = {}) {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
      const probed: { id: string; afterMs: number }[] = [];
      const clock = { t: Date.parse('2026-12-03T09:32:41Z') };
      const removedAt = clock.t;
      const { history } = setup(lease, clock, {
        departedCheckMs: 10_000,
        probeDeparted: (instance) => {
          probed.push({ id: instance.id, afterMs: clock.t - removedAt });
          const ok = answers.shift() ?? false;
          return Promise.resolve({ at: new Date(clock.t).toISOString(), ok, latencyMs: 2, ...(ok ? {} : { error: 'connection refused' }) });
        },
        ...limits,
      });
      passProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
      store.flush();
      /** Moves the clock and the timers together. */
      const advance = async (ms: number): Promise<void> => {
        clock.t += ms;
        await vi.advanceTimersByTimeAsync(ms);
        store.flush();
      };
      return { history, probed, advance };
    }

    it('lists it lost once it still answers twice, 10 s apart: serving, but out of discovery', async () => {
      const { history, probed, advance } = departing([true, true]);
      await expire('/s/users/a');
      expect(users()?.instances.map((i) => i.id)).toEqual(['bb']);
      await advance(10_000);
      expect(users()?.instances.map((i) => i.id)).toEqual(['bb']);
      await advance(10_000);
      expect(probed).toEqual([{ id: 'a', afterMs: 10_000 }, { id: 'a', afterMs: 20_000 }]);
      const cause = 'lease expired at 09:32:41 UTC while it still served: it answered probes 20 s later, but is out of discovery';
      const lost = users()?.instances.find((i) => i.id === 'a');
      expect(lost?.status).toBe('critical');
      expect(lost?.lastProbe?.ok).toBe(true);
      expect(lost?.lost).toEqual({ at: '2026-12-03T09:32:41.000Z', cause, passingBefore: 2, stillServing: true });
      expect(lost?.statusCause).toBe(`out of discovery: ${cause}`);
      expect(history.map((e) => [e.kind, e.instance, e.from, e.to, e.detail])).toEqual([['instance.lost', 'a', 'passing', 'critical', cause]]);
    });

    describe('once out of discovery, probed on at the probe interval (tracker.standInProbed)', () => {
      const standInKey = `${LOST_KEY_PREFIX}/s/users/a`;
      /** A probe result `advanceMs` after the last, on the probes' own clock (the verdict reads their times). */
      const probeAt = (advanceMs: number, ok: boolean, clock: { t: number }) => {
        clock.t += advanceMs;
        tracker.standInProbed(standInKey, { at: new Date(clock.t).toISOString(), ok, latencyMs: 2, ...(ok ? {} : { error: 'connection refused' }) });
        store.flush();
      };
      async function outOfDiscovery() {
        const run = departing([true, true]);
        await expire('/s/users/a');
        await run.advance(20_000);
        expect(users()?.instances.find((i) => i.id === 'a')?.lost?.stillServing).toBe(true);
        run.history.length = 0;
        return run;
      }

      it('turns it lost once it fails as many probes in a row as a registered instance needs to go critical (3): a process gone after it left discovery', async () => {
        await outOfDiscovery();
        const clock = { t: Date.parse('2026-12-03T09:33:01Z') };
        probeAt(5_000, false, clock);
        probeAt(5_000, false, clock);
        // A pass between failures starts the count again, as a registered instance's would.
        probeAt(5_000, true, clock);
        probeAt(5_000, false, clock);
        probeAt(5_000, false, clock);
        expect(users()?.instances.find((i) => i.id === 'a')?.lost?.stillServing).toBe(true);
        probeAt(5_000, false, clock);
        const a = users()?.instances.find((i) => i.id === 'a');
        const cause = 'stopped answering probes at 09:33:21 UTC, after it left discovery at 09:32:41 UTC; last probe: connection refused';
        // Failing since it left discovery, as its stand-in said: when it stopped answering is in the cause.
        expect(a?.lost).toEqual({ at: '2026-12-03T09:32:41.000Z', cause, passingBefore: 2 });
        expect([a?.statusSince, a?.failingSince]).toEqual(['2026-12-03T09:32:41.000Z', '2026-12-03T09:32:41.000Z']);
        expect(a?.status).toBe('critical');
        expect(a?.statusCause).toBe(`lost: ${cause}`);
        expect(a?.lastProbe).toMatchObject({ ok: false, at: '2026-12-03T09:33:31.000Z' });
        expect(users()?.cause).toMatch(/lost/);
        expect(tracker.count()).toBe(1);
      });

      it('writes one history row for that loss, and ignores probes of a plain loss or of a key it does not hold', async () => {
        const { history } = await outOfDiscovery();
        const clock = { t: Date.parse('2026-12-03T09:33:01Z') };
        for (let i = 0; i < 5; i += 1) probeAt(5_000, false, clock);
        expect(history.map((e) => [e.kind, e.instance, e.from, e.to, e.at])).toEqual([['instance.lost', 'a', 'critical', 'critical', '2026-12-03T09:33:06.000Z']]);
        expect(history[0]?.detail).toMatch(/^stopped answering probes at 09:33:06 UTC, after it left discovery at 09:32:41 UTC/);
        const lostNow = users()?.instances.find((i) => i.id === 'a');
        // Lost now: no more verdicts from its probes (a new process registers, which clears the loss).
        probeAt(5_000, true, clock);
        expect(users()?.instances.find((i) => i.id === 'a')).toEqual(lostNow);
        tracker.standInProbed(`${LOST_KEY_PREFIX}/s/users/nobody`, { at: new Date(clock.t).toISOString(), ok: false, latencyMs: 1 });
        expect(history).toHaveLength(1);
      });

      it('answering on, it stays out of discovery and writes nothing; its row shows its latest probe', async () => {
        const { history } = await outOfDiscovery();
        const clock = { t: Date.parse('2026-12-03T09:33:01Z') };
        const before = users()?.instances.find((i) => i.id === 'a');
        for (let i = 0; i < 10; i += 1) probeAt(5_000, i % 3 !== 0, clock);
        const after = users()?.instances.find((i) => i.id === 'a');
        // Its tenth probe failed (one failure, then two passes, in turn): shown at once, as every change of result is.
        expect(after).toEqual({ ...before, lastProbe: { at: '2026-12-03T09:33:51.000Z', ok: false, latencyMs: 2, error: 'connection refused' } });
        expect(history).toEqual([]);
      });
    });

    it('lets it go without a loss when it stops answering (the shutdown took a few seconds)', async () => {
      const { history, probed, advance } = departing([true, false]);
      await expire('/s/users/a');
      for (let i = 0; i < 6; i += 1) await advance(10_000);
      expect(probed.map((p) => p.afterMs)).toEqual([10_000, 20_000]);
      expect(users()?.instances.map((i) => i.id)).toEqual(['bb']);
      expect(history).toEqual([]);
    });

    it('stops checking when the same instance registers again', async () => {
      const { history, probed, advance } = departing([true, true]);
      await expire('/s/users/a');
      await advance(10_000);
      store.upsertKey({ etcdKey: '/s/users/a', lease: '8', registrations: [registration('a')] });
      store.flush();
      await advance(30_000);
      expect(probed.map((p) => p.afterMs)).toEqual([10_000]);
      expect(users()?.instances.map((i) => [i.id, Boolean(i.lost)])).toEqual([['a', false], ['bb', false]]);
      expect(history).toEqual([]);
    });

    describe('while the check runs, when the departure leaves its service nothing registered (every lease expired at once, etcd paused)', () => {
      /** a went while bb stayed; then bb goes too, the registry telling the tracker first: the deltas of bb's removal. */
      async function wholeServiceGoes(answers: boolean[], lease: Departure['lease'] = 'gone') {
        const run = departing(answers, lease);
        passProbe('/s/users/bb', '2026-12-03T09:32:36.000Z');
        store.flush();
        await expire('/s/users/a');
        const before = users()?.instances.map((i) => i.id);
        const deltas: Delta[] = [];
        store.subscribe((delta) => deltas.push(delta));
        tracker.keyGoing('/s/users/bb', Promise.resolve(leaseAfter));
        store.removeKey('/s/users/bb');
        store.flush();
        const changes = deltas.flatMap((delta) => delta.changes.map((change) => (change.op === 'upsert' ? `upsert ${change.instance.id} ${change.instance.status} checking=${Boolean(change.instance.lost?.checking)}` : `remove ${change.key}`)));
        await run.advance(0);
        return { ...run, before, deltaCount: deltas.length, changes };
      }
      const shown = () => users()?.instances.map((i) => [i.id, i.status, i.lost?.checking ?? false, i.lost?.stillServing ?? false]);

      it('shows every departed instance as being checked, unknown, in the same delta as the last removal: the service never vanishes', async () => {
        const { history, before, deltaCount, changes } = await wholeServiceGoes([]);
        expect(before).toEqual(['bb']);
        expect(deltaCount).toBe(1);
        expect(changes).toEqual(expect.arrayContaining(['upsert a unknown checking=true', 'upsert bb unknown checking=true', 'remove /s/users/bb']));
        expect(changes).toHaveLength(3);
        expect(users()?.status).toBe('unknown');
        expect(users()?.cause).toBe('all 2 instances left discovery at 09:32:41 UTC while passing — checking whether they still serve');
        const bb = users()?.instances.find((i) => i.id === 'bb');
        expect(bb?.statusCause).toBe('left discovery at 09:32:41 UTC while its probes passed — checking whether it still serves');
        expect(bb?.lost).toEqual({ at: '2026-12-03T09:32:41.000Z', cause: bb?.statusCause, passingBefore: 1, checking: true });
        expect(history).toEqual([]);
        // Not a loss: nothing held to hand to a starting replica, nothing to dismiss.
        expect(tracker.held()).toEqual([]);
        expect(tracker.count()).toBe(0);
        expect(tracker.dismiss('users', 'bb', 'alice')).toEqual({ ok: false });
        // Nor is one adopted from another replica: nothing here would rule on it.
        if (bb) tracker.adopt({ ...bb, id: 'cc', key: '/s/users/cc', address: '10.0.0.9:80' }, Date.parse('2026-12-03T09:32:41Z'));
        expect(users()?.instances.map((i) => i.id)).toEqual(['a', 'bb']);
      });

      it('turns each into the out-of-discovery stand-in once it answered both probes', async () => {
        const { history, advance } = await wholeServiceGoes([true, true, true, true]);
        await advance(10_000);
        expect(shown()).toEqual([
          ['a', 'unknown', true, false],
          ['bb', 'unknown', true, false],
        ]);
        await advance(10_000);
        expect(shown()).toEqual([
          ['a', 'critical', false, true],
          ['bb', 'critical', false, true],
        ]);
        expect(users()?.cause).toMatch(/^all 2 instances out of discovery since 09:32:41 UTC/);
        expect(history.map((e) => [e.kind, e.instance])).toEqual([
          ['instance.lost', 'a'],
          ['instance.lost', 'bb'],
        ]);
      });

      it('takes each back without a history row when it stops answering (a whole service shut down gracefully)', async () => {
        const { history, advance } = await wholeServiceGoes([true, false, false]);
        await advance(10_000);
        expect(shown()).toEqual([['a', 'unknown', true, false]]);
        await advance(10_000);
        expect([...store.instances()]).toHaveLength(0);
        for (let i = 0; i < 6; i += 1) await advance(10_000);
        expect(history).toEqual([]);
      });

      it('takes one back when the same instance registers again, and all at once when etcd says their leases were revoked', async () => {
        const { history, advance } = await wholeServiceGoes([true, true, true, true]);
        store.upsertKey({ etcdKey: '/s/users/a', lease: '8', registrations: [registration('a')] });
        store.flush();
        expect(shown()).toEqual([
          ['a', 'unknown', false, false],
          ['bb', 'unknown', true, false],
        ]);
        await advance(20_000);
        expect(shown()).toEqual([
          ['a', 'unknown', false, false],
          ['bb', 'critical', false, true],
        ]);
        expect(history.map((e) => [e.kind, e.instance])).toEqual([['instance.lost', 'bb']]);

        tracker.stop();
        store.close();
        const revoked = await wholeServiceGoes([true, true], 'revoked');
        expect(revoked.changes).toContain('upsert bb unknown checking=true');
        expect([...store.instances()]).toHaveLength(0);
        await revoked.advance(30_000);
        expect([...store.instances()]).toHaveLength(0);
        expect(revoked.history).toEqual([]);
      });

      it('shows them after a relist that found every key of the service gone (etcd back after a pause): it judges every key before removing any', async () => {
        const { history } = departing([]);
        passProbe('/s/users/bb', '2026-12-03T09:32:36.000Z');
        store.flush();
        const deltas: Delta[] = [];
        store.subscribe((delta) => deltas.push(delta));
        // What registry/sync.ts does on a relist: every missing key judged, then the store replaced, then `relisted`.
        for (const key of ['/s/users/a', '/s/users/bb']) tracker.keyGoing(key, Promise.resolve(leaseAfter));
        for (const key of ['/s/users/a', '/s/users/bb']) store.removeKey(key);
        tracker.relisted();
        store.flush();
        expect(deltas).toHaveLength(1);
        expect(users()?.instances.map((i) => [i.id, i.status, i.lost?.checking])).toEqual([
          ['a', 'unknown', true],
          ['bb', 'unknown', true],
        ]);
        expect(history).toEqual([]);
      });

      it('shows nothing while another instance is still registered (a rolling restart): the check alone rules', async () => {
        const { history, advance } = departing([true, false]);
        const deltas: Delta[] = [];
        store.subscribe((delta) => deltas.push(delta));
        await expire('/s/users/a');
        await advance(10_000);
        expect(deltas.flatMap((delta) => delta.changes.map((change) => change.op))).toEqual(['remove']);
        expect(shown()).toEqual([['bb', 'unknown', false, false]]);
        await advance(10_000);
        expect(shown()).toEqual([['bb', 'unknown', false, false]]);
        expect(history).toEqual([]);
      });
    });

    /** `count` instances `m0`… registered, their probes passing. */
    const fleet = (count: number): string[] => {
      const keys = Array.from({ length: count }, (_, i) => `/s/users/m${i}`);
      for (const [i, key] of keys.entries()) store.upsertKey({ etcdKey: key, lease: '7', registrations: [registration(`m${i}`, `10.1.${Math.floor(i / 250)}.${i % 250}:80`)] });
      store.flush();
      for (const key of keys) passProbe(key, '2026-12-03T09:32:36.000Z');
      store.flush();
      return keys;
    };
    const outOfDiscovery = () => (users()?.instances ?? []).filter((i) => i.lost?.stillServing).map((i) => i.id);

    it(`checks at most ${MAX_DEPARTED_CHECKS} departures at once (a mass shutdown dials no more addresses than that); the rest as checks end`, async () => {
      const { probed, advance } = departing([]);
      const keys = Array.from({ length: MAX_DEPARTED_CHECKS + 10 }, (_, i) => `/s/users/m${i}`);
      for (const [i, key] of keys.entries()) store.upsertKey({ etcdKey: key, lease: '7', registrations: [registration(`m${i}`, `10.1.${Math.floor(i / 250)}.${i % 250}:80`)] });
      store.flush();
      for (const key of keys) passProbe(key, '2026-12-03T09:32:36.000Z');
      store.flush();
      for (const key of keys) await expire(key);
      await advance(10_000);
      expect(probed).toHaveLength(MAX_DEPARTED_CHECKS);
      // The first round answered nothing: those checks ended, so the 10 waiting begin, and later departures are checked too.
      await expire('/s/users/a');
      await advance(10_000);
      expect(probed).toHaveLength(MAX_DEPARTED_CHECKS + 11);
      expect(probed.slice(MAX_DEPARTED_CHECKS, -1).map((p) => [p.id, p.afterMs])).toEqual(keys.slice(MAX_DEPARTED_CHECKS).map((_, i) => [`m${MAX_DEPARTED_CHECKS + i}`, 20_000]));
      expect(probed.at(-1)).toEqual({ id: 'a', afterMs: 20_000 });
    });

    it('checks the departures past the cap as checks end: a fleet whose leases all expired while serving is all shown out of discovery, bar one back meanwhile', async () => {
      const logged: string[] = [];
      const { history, probed, advance } = departing(Array<boolean>(100).fill(true), 'gone', { maxDepartedChecks: 4, log: (line) => logged.push(line) });
      const keys = fleet(8);
      for (const key of keys) tracker.keyGoing(key, Promise.resolve(leaseAfter));
      for (const key of keys) store.removeKey(key);
      store.flush();
      await advance(0);
      await advance(10_000);
      expect(probed.map((p) => p.id)).toEqual(['m0', 'm1', 'm2', 'm3']);
      // m5 registers again while it waits: it leaves the queue, never probed, never lost.
      store.upsertKey({ etcdKey: '/s/users/m5-again', lease: '8', registrations: [registration('m5', '10.1.0.5:80')] });
      store.flush();
      await advance(10_000);
      expect(outOfDiscovery()).toEqual(['m0', 'm1', 'm2', 'm3']);
      await advance(10_000);
      await advance(10_000);
      expect(outOfDiscovery()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm6', 'm7']);
      expect(probed.filter((p) => p.id === 'm5')).toEqual([]);
      expect(probed.filter((p) => p.id === 'm6').map((p) => p.afterMs)).toEqual([30_000, 40_000]);
      expect(users()?.instances.find((i) => i.id === 'm5')?.lost).toBeUndefined();
      // Its cause counts the wait: it still answered 40 s after its key went.
      expect(history.find((e) => e.instance === 'm6')?.detail).toContain('answered probes 40 s later');
      expect(history.filter((e) => e.kind === 'instance.lost')).toHaveLength(7);
      expect(logged).toEqual(['lost instances: 4 departures waited for a check (at most 4 at once)']);
    });

    it("says a departure is judged from its key's removal until its check rules, waiting in the queue included (the OTLP intake names it meanwhile)", async () => {
      const { advance } = departing([true, false, false], 'gone', { maxDepartedChecks: 1 });
      passProbe('/s/users/bb', '2026-12-03T09:32:36.000Z');
      store.flush();
      const judged = () => ['/s/users/a', '/s/users/bb'].filter((key) => tracker.checksDeparture('users', key));
      expect(judged()).toEqual([]);
      await expire('/s/users/a');
      await expire('/s/users/bb');
      expect(judged()).toEqual(['/s/users/a', '/s/users/bb']);
      await advance(10_000);
      expect(judged()).toEqual(['/s/users/a', '/s/users/bb']);
      // a stopped answering: a graceful shutdown after all; bb, which waited, is checked now.
      await advance(10_000);
      expect(judged()).toEqual(['/s/users/bb']);
      await advance(10_000);
      expect(judged()).toEqual([]);
    });

    it('past the queue bound a departure goes unchecked, counted and logged once for the burst; stop() empties the queue', async () => {
      const logged: string[] = [];
      const { probed, advance } = departing(Array<boolean>(100).fill(true), 'gone', { maxDepartedChecks: 2, maxQueuedDepartures: 2, log: (line) => logged.push(line) });
      const keys = fleet(7);
      for (const key of keys) tracker.keyGoing(key, Promise.resolve(leaseAfter));
      for (const key of keys) store.removeKey(key);
      store.flush();
      await advance(0);
      expect(logged).toEqual(['lost instances: 2 departures already wait for a check; those past it are judged graceful shutdowns unchecked']);
      await advance(40_000);
      expect(outOfDiscovery()).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect(logged.at(-1)).toBe('lost instances: 2 departures waited for a check (at most 2 at once); 3 more were not checked, the queue being full (2): judged graceful shutdowns');

      const more = fleet(12).slice(7);
      for (const key of more) tracker.keyGoing(key, Promise.resolve(leaseAfter));
      for (const key of more) store.removeKey(key);
      store.flush();
      await advance(0);
      const before = probed.length;
      tracker.stop();
      await advance(60_000);
      expect(probed).toHaveLength(before);
    });

    it("never checks it when it registered again (under a new key) before etcd's answer on its lease came back, nor once the tracker stopped", async () => {
      const { history, probed, advance } = departing([true, true]);
      let answer: (lease: Departure['lease']) => void = () => undefined;
      tracker.keyGoing('/s/users/a', new Promise((resolve) => (answer = resolve)));
      store.removeKey('/s/users/a');
      store.upsertKey({ etcdKey: '/s/users/a-lease9', lease: '9', registrations: [registration('a')] });
      store.flush();
      answer('gone');
      await advance(30_000);
      expect(probed).toEqual([]);
      expect(history).toEqual([]);

      passProbe('/s/users/bb', '2026-12-03T09:32:40.000Z');
      store.flush();
      tracker.keyGoing('/s/users/bb', new Promise((resolve) => (answer = resolve)));
      store.removeKey('/s/users/bb');
      store.flush();
      tracker.stop();
      answer('gone');
      await advance(30_000);
      expect(probed).toEqual([]);
    });

    it('never probes it when its lease was revoked before it could expire (a deregistration)', async () => {
      const { probed, advance } = departing([true, true], 'revoked');
      await expire('/s/users/a');
      await advance(60_000);
      expect(probed).toEqual([]);
    });
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
    expect(history.at(-1)).toMatchObject({ kind: 'instance.lost_cleared', instance: 'a', detail: 'registered again as a2 at 10.0.0.1:80', returnedAs: 'a2' });
  });

  it('says an address once when the instance is named by it, and the id once when it came back under the same one', async () => {
    const { history } = setup('gone');
    store.upsertKey({ etcdKey: '/s/users/10.0.0.9:80', lease: '7', registrations: [registration('10.0.0.9:80', '10.0.0.9:80')] });
    store.flush();
    for (const key of ['/s/users/a', '/s/users/10.0.0.9:80']) failProbe(key, '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    await expire('/s/users/10.0.0.9:80');
    store.upsertKey({ etcdKey: '/s/users/again', lease: '8', registrations: [registration('10.0.0.9:80', '10.0.0.9:80')] });
    store.upsertKey({ etcdKey: '/s/users/a-again', lease: '8', registrations: [registration('a', '10.0.0.7:80')] });
    store.flush();
    store.flush();
    const cleared = history.filter((event) => event.kind === 'instance.lost_cleared').map((event) => `${event.instance}: ${event.detail}`);
    expect(cleared.sort()).toEqual(['10.0.0.9:80: registered again at 10.0.0.9:80', 'a: registered again at 10.0.0.7:80']);
    // The id it came back as is the row's, not its words' (incidents follow it): here each its own.
    expect(history.filter((event) => event.kind === 'instance.lost_cleared').map((event) => [event.instance, event.returnedAs]).sort()).toEqual([
      ['10.0.0.9:80', '10.0.0.9:80'],
      ['a', 'a'],
    ]);
  });

  it('holds an instance back after its loss critical until its probes rule, keeping that it passed in this run (its service failing now, not stale)', async () => {
    setup('gone');
    // As the status publisher writes them: passing once, then failing, `passedAt` kept.
    store.setHealth('/s/users/a', { status: 'passing', statusCause: 'probe OK', passedAt: '2026-12-03T09:30:00.000Z', lastProbe: { at: '2026-12-03T09:30:00.000Z', ok: true, latencyMs: 1 } });
    store.flush();
    store.setHealth('/s/users/a', { status: 'critical', statusCause: 'connection refused', passedAt: '2026-12-03T09:30:00.000Z', lastProbe: { at: '2026-12-03T09:32:36.000Z', ok: false, latencyMs: 1, error: 'connection refused' } });
    store.flush();
    await expire('/s/users/a');
    store.upsertKey({ etcdKey: '/s/users/a', lease: '8', registrations: [registration('a')] });
    store.flush();
    store.flush();
    expect(store.instance(`${LOST_KEY_PREFIX}/s/users/a`)).toBeUndefined();
    // A registration is no probe evidence: the status its loss gave it stands (no recovery yet).
    expect(store.instance('/s/users/a')).toMatchObject({
      status: 'critical',
      statusCauseKind: 'lost',
      statusCause: 'registered again with no probe verdict yet — lost: lease expired at 09:32:41 UTC after probes failed from 09:32:36 UTC; last probe: connection refused',
      failingSince: '2026-12-03T09:32:36.000Z',
      passedAt: '2026-12-03T09:30:00.000Z',
    });
    // One that never passed comes back without it.
    store.setHealth('/s/users/bb', { status: 'critical', statusCause: 'connection refused', lastProbe: { at: '2026-12-03T09:32:36.000Z', ok: false, latencyMs: 1, error: 'connection refused' } });
    store.flush();
    await expire('/s/users/bb');
    store.upsertKey({ etcdKey: '/s/users/bb', lease: '8', registrations: [registration('bb')] });
    store.flush();
    store.flush();
    expect(store.instance('/s/users/bb')).toMatchObject({ status: 'critical', statusCauseKind: 'lost' });
    expect(store.instance('/s/users/bb')?.passedAt).toBeUndefined();
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

  it("tells a dismissal with the etcd revision its loss's key went at, and a dismissal heard late leaves a loss that went later", async () => {
    const { history, clock } = setup('unknown');
    await expire('/s/users/a', '120');
    expect(tracker.dismiss('users', 'a', 'alice')).toMatchObject({ ok: true, dismissal: { service: 'users', id: 'a', actor: 'alice', at: clock.t, revision: '120' } });
    await expire('/s/users/bb', '130');
    // Taken on another replica at revision 125, heard here only now: bb's loss (130) is a later one.
    tracker.dismissedElsewhere('users', 'bb', 'bob', { at: clock.t - 1_000, revision: '125' });
    expect(tracker.count()).toBe(1);
    tracker.dismissedElsewhere('users', 'bb', 'bob', { at: clock.t - 1_000, revision: '130' });
    expect(tracker.count()).toBe(0);
    expect(history.at(-1)).toMatchObject({ kind: 'instance.lost_cleared', instance: 'bb', actor: 'bob', at: new Date(clock.t - 1_000).toISOString() });
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

  it('counts the retention from the removal of the key, not from the first failed probe', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { clock } = setup('gone');
    // Probes failed for 5 minutes (longer than the 60 s retention) before the lease ran out.
    failProbe('/s/users/a', '2026-12-03T09:27:41.000Z');
    store.flush();
    failProbe('/s/users/a', '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/s/users/a');
    expect(store.instance(`${LOST_KEY_PREFIX}/s/users/a`)?.lost?.at).toBe('2026-12-03T09:27:41.000Z');
    clock.t += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(1);
    clock.t += 58_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(1);
    clock.t += 2_000;
    vi.advanceTimersByTime(1_000);
    expect(tracker.count()).toBe(0);
  });
});

describe('lost tracker, keys registering several instances (instance key `etcdKey#id`)', () => {
  const node = (id: string) => ({ service: 'users', id, address: `10.0.1.${id.length}:80`, format: 'native' as const, metadata: {} });

  it('keeps each node of a multi-node key lost under exactly `LOST_KEY_PREFIX` + its instance key, so its probe series is found', async () => {
    setup('gone');
    store.upsertKey({ etcdKey: '/u/n1', lease: '9', registrations: [node('n1'), node('n22')] });
    store.flush();
    // The first node is named after the key's last segment, the second is not: `/u/n1#n22`.
    expect(store.instancesOfKey('/u/n1').map((i) => i.key)).toEqual(['/u/n1', '/u/n1#n22']);
    for (const key of ['/u/n1', '/u/n1#n22']) failProbe(key, '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/u/n1');
    const standIns = [...store.instances()].filter((i) => i.lost);
    expect(standIns.map((i) => i.key)).toEqual([`${LOST_KEY_PREFIX}/u/n1`, `${LOST_KEY_PREFIX}/u/n1#n22`]);
    // The latency route looks the probe series up under the key the instance had while registered.
    expect(standIns.map((i) => registeredKeyOf(i.key))).toEqual(['/u/n1', '/u/n1#n22']);
    expect(standIns.map((i) => i.status)).toEqual(['critical', 'critical']);
  });

  it('judges only the instances of the key that went, never those of another key it is a prefix of', async () => {
    const { history } = setup('gone');
    store.upsertKey({ etcdKey: '/x/b', lease: '9', registrations: [node('n1')] });
    store.upsertKey({ etcdKey: '/x/b#c', lease: '10', registrations: [node('c')] });
    store.flush();
    for (const instance of [...store.instances()]) failProbe(instance.key, '2026-12-03T09:32:36.000Z');
    store.flush();
    await expire('/x/b');
    expect([...store.instances()].filter((i) => i.lost).map((i) => i.key)).toEqual([`${LOST_KEY_PREFIX}/x/b#n1`]);
    expect(store.instance('/x/b#c#c')?.lost).toBeUndefined();
    expect(history.map((e) => [e.kind, e.instance])).toEqual([['instance.lost', 'n1']]);
  });

  it('adopts a loss another replica held — the same stand-in, no history row — unless past its retention or registered again', async () => {
    const { history, clock, instance, removedAt } = await lossOfA();
    const seen = history.length;
    // A second replica's tracker, started after the loss, told of it.
    const other = createStore({ coalesceMs: 0 });
    const adopting = createLostTracker({ store: other, retentionSeconds: 60, onHistory: (event) => history.push(event), now: () => clock.t });
    other.upsertKey({ etcdKey: '/s/users/bb', lease: '7', registrations: [registration('bb')] });
    other.flush();
    try {
      adopting.adopt(instance, removedAt);
      adopting.adopt(instance, removedAt);
      other.flush();
      expect([...other.instances()].filter((instance) => instance.lost).map((instance) => [instance.id, instance.lost?.cause])).toEqual([['a', instance.lost?.cause]]);
      expect(history).toHaveLength(seen);
      // Past the retention, or the same instance registered: nothing to adopt.
      adopting.adopt({ ...instance, key: '/s/users/old', id: 'old', address: '10.9.9.9:1' }, clock.t - 61_000);
      adopting.adopt({ ...instance, key: '/s/users/bb-gone', id: 'bb', address: '10.0.0.2:80' }, clock.t);
      other.flush();
      expect(adopting.count()).toBe(1);
    } finally {
      adopting.stop();
      other.close();
    }
  });

  it('does not adopt a loss dismissed here or on another replica, until it registers again or the retention has passed', async () => {
    const { history, clock, instance, removedAt } = await lossOfA();
    // Dismissed here: an answer still carrying it (sent before its replica heard) is not taken back.
    expect(tracker.dismiss('users', 'a', 'user:ops').ok).toBe(true);
    tracker.adopt(instance, removedAt);
    expect(tracker.count()).toBe(0);
    // Dismissed on another replica before this one held it: remembered all the same, one history row (the leader's drop) at most.
    tracker.dismissedElsewhere('users', 'gone-elsewhere', 'user:ops');
    tracker.adopt({ ...instance, key: '/s/users/gone-elsewhere', id: 'gone-elsewhere', address: '10.9.9.8:1' }, removedAt);
    expect(tracker.count()).toBe(0);
    expect(history.filter((event) => event.kind === 'instance.lost_cleared').map((event) => event.instance)).toEqual(['a']);
    // Registered again since: a later loss of it is a new one.
    store.upsertKey({ etcdKey: '/s/users/a2', lease: '8', registrations: [registration('a', '10.0.0.77:80')] });
    store.flush();
    store.removeKey('/s/users/a2');
    store.flush();
    tracker.adopt({ ...instance, address: '10.0.0.77:80' }, clock.t);
    expect(tracker.count()).toBe(1);
    // Past the retention, the other dismissal is forgotten (swept).
    clock.t += 61_000;
    await vi.waitFor(() => expect(tracker.count()).toBe(0), { timeout: 5_000 });
    tracker.adopt({ ...instance, key: '/s/users/gone-elsewhere', id: 'gone-elsewhere', address: '10.9.9.8:1' }, clock.t);
    expect(tracker.count()).toBe(1);
  });
});
