import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULE } from '@/lib/model/alerts/rules';
import { DEFAULT_THRESHOLDS, nextHealth, type HealthState } from '@/lib/model/health-state';
import { criticalChange, flappingOf, FLAP_MIN_CHANGES } from '@/lib/model/status/flapping';
import { healthAnswerer, HEALTHY } from './instance-server';
import { seededRandom } from './latency';
import { DEMO_PLAN } from './plan';
import { applyScenario, BASELINE_READY_MS, scheduleScenarios, SCENARIO_NAMES, type ChaosFleet, type ChaosInstance } from './scenarios';

interface FakeInstance extends ChaosInstance {
  serving: boolean;
  inEtcd: boolean;
}

function fakeFleet(): { fleet: ChaosFleet; all: FakeInstance[]; discovery: { cut: boolean } } {
  const discovery = { cut: false };
  const all: FakeInstance[] = DEMO_PLAN.flatMap((service) =>
    Array.from({ length: service.instances }, (_, i) => {
      const instance: FakeInstance = {
        label: `${service.service}-${i + 1}`,
        faults: { ...HEALTHY },
        serving: true,
        inEtcd: true,
        isServing: () => instance.serving,
        isInEtcd: () => instance.inEtcd,
        healthChecked: () => service.format === 'native',
        kill: async () => void ((instance.serving = false), (instance.inEtcd = false)),
        restart: async () => void ((instance.serving = true), (instance.inEtcd = true)),
        loseEtcd: () => void (instance.inEtcd = false),
        rejoinEtcd: async () => void (instance.inEtcd = true),
      };
      return instance;
    }),
  );
  return {
    fleet: {
      plan: DEMO_PLAN,
      instancesOf: (name) => all.filter((i) => i.label.startsWith(`${name}-`)),
      discovery: { cutOff: async () => void (discovery.cut = true), reconnect: async () => void (discovery.cut = false) },
    },
    all,
    discovery,
  };
}

const healthy = (instance: FakeInstance): boolean =>
  instance.serving && instance.inEtcd && JSON.stringify(instance.faults) === JSON.stringify(HEALTHY);

describe('applyScenario', () => {
  it.each(SCENARIO_NAMES)('%s breaks something and its revert heals it', async (name) => {
    const { fleet, all } = fakeFleet();
    const active = await applyScenario(name, fleet, seededRandom(11));
    const broken = all.filter((instance) => !healthy(instance));
    expect(broken.length).toBeGreaterThan(0);
    // The traffic's origin is left alone, but by the whole fleet losing etcd.
    if (name !== 'lose-etcd-all') expect(broken.some((instance) => instance.label.startsWith('ingress-'))).toBe(false);
    expect(active.description).toMatch(/\w/);
    await active.revert();
    expect(all.every(healthy)).toBe(true);
  });

  it.each(['hang-health', 'flapping'] as const)('%s hits only an instance probed beyond TCP, and refuses a TCP-only target with the reason', async (name) => {
    const { fleet, all } = fakeFleet();
    await applyScenario(name, fleet, seededRandom(5));
    const broken = all.filter((instance) => !healthy(instance));
    expect(broken.map((instance) => instance.healthChecked())).toEqual([true]);
    await expect(applyScenario(name, fakeFleet().fleet, Math.random, 'users')).rejects.toThrow('users is probed by TCP connect only');
  });

  it('lose-etcd-all takes every instance of every service out of etcd, all still serving, and cuts the callers\' resolver off from etcd so they still reach each other', async () => {
    const { fleet, all, discovery } = fakeFleet();
    const active = await applyScenario('lose-etcd-all', fleet, Math.random);
    expect(all.filter((instance) => instance.inEtcd)).toEqual([]);
    expect(all.every((instance) => instance.serving)).toBe(true);
    expect(discovery.cut).toBe(true);
    expect(active.lastsMs).toBe(60_000);
    await active.revert();
    expect(all.every(healthy)).toBe(true);
    expect(discovery.cut).toBe(false);
  });

  it('lose-etcd-all\'s revert reconnects the resolver even when an instance cannot register again, and says why it failed', async () => {
    const { fleet, all, discovery } = fakeFleet();
    const active = await applyScenario('lose-etcd-all', fleet, Math.random);
    const [refused] = all;
    if (!refused) throw new Error('no instance');
    refused.rejoinEtcd = () => Promise.reject(new Error('etcd unavailable'));
    await expect(active.revert()).rejects.toThrow('etcd unavailable');
    expect(discovery.cut).toBe(false);
    expect(all.filter((instance) => !instance.inEtcd)).toEqual([refused]);
  });

  it('hits the named service, all of it for service-wide scenarios', async () => {
    const { fleet } = fakeFleet();
    await applyScenario('service-down', fleet, Math.random, 'users');
    expect(fleet.instancesOf('users').map((i) => i.isServing())).toEqual([false, false, false]);
    await applyScenario('hang-health', fleet, Math.random, 'api-gateway');
    expect(fleet.instancesOf('api-gateway').filter((i) => i.faults.health === 'hang')).toHaveLength(1);
  });

  it('left to choose, never breaks the last healthy instance of a service', async () => {
    const { fleet } = fakeFleet();
    const random = seededRandom(4);
    for (let i = 0; i < 40; i += 1) await applyScenario('kill-instance', fleet, random).catch(() => undefined);
    for (const service of DEMO_PLAN) expect(fleet.instancesOf(service.service).some((i) => i.isServing()), service.service).toBe(true);
    await expect(applyScenario('kill-instance', fleet, random)).rejects.toThrow(/no service/);
  });
});

/** Switchyard's default probe interval (SWITCHYARD_PROBE_INTERVAL_MS), which the demo keeps. */
const PROBE_INTERVAL_MS = 5_000;

/**
 * The flapping scenario as Switchyard sees it, on a fake clock from its start (0): the instance's
 * own health answer, probed every 5 s from a random phase, each probe up to 1 s late and one round
 * while it flaps dropped (the scheduler skips one a stall missed), judged at the default thresholds
 * (3 failures to critical, 2 passes back). Returns when its status went into or out of critical.
 */
async function flappingAsProbed(random: () => number, untilMs: number): Promise<{ changesMs: number[]; revertMs: number; last: HealthState }> {
  const { fleet } = fakeFleet();
  let nowMs = 0;
  // Answering since before the scenario, as the instance's server is.
  const answerers = new Map(fleet.instancesOf('api-gateway').map((instance) => [instance, healthAnswerer(instance.faults, () => nowMs)]));
  const active = await applyScenario('flapping', fleet, random, 'api-gateway');
  const answer = [...answerers].find(([instance]) => instance.faults.health === 'flapping')?.[1];
  if (!answer) throw new Error('no flapping instance');
  const revertMs = active.lastsMs ?? 30_000;
  let state: HealthState = { status: 'passing', cause: 'probe OK', since: new Date(0).toISOString(), okStreak: 2, failStreak: 0 };
  let down = false;
  const changesMs: number[] = [];
  let reverted = false;
  const droppedRound = Math.floor(random() * (revertMs / PROBE_INTERVAL_MS));
  for (let round = 0, plannedMs = random() * PROBE_INTERVAL_MS; plannedMs < untilMs; round += 1, plannedMs += PROBE_INTERVAL_MS) {
    if (round === droppedRound) continue;
    nowMs = plannedMs + random() * 1_000;
    if (!reverted && nowMs >= revertMs) {
      await active.revert();
      reverted = true;
    }
    const before = state.status;
    state = nextHealth(state, { at: new Date(nowMs).toISOString(), ok: answer() === 'SERVING', latencyMs: 2 }, DEFAULT_THRESHOLDS);
    if (state.status === before) continue;
    const change = criticalChange(down, state.status);
    down = change.down;
    if (change.counts) changesMs.push(nowMs);
  }
  return { changesMs, revertMs, last: state };
}

describe('the flapping scenario at the real probe interval', () => {
  // Scenarios start 25 s after the demo (FLEET_SEEN_HEALTHY_MS): 100 s more is about 2 minutes in.
  const ALERT_WITHIN_MS = 100_000;

  it('makes the ServiceFlapping alert\'s 5 changes within 100 s and before its revert, whatever the probes\' phase, lateness and dropped rounds, then passes again', async () => {
    const missed: string[] = [];
    for (let seed = 0; seed < 200; seed += 1) {
      const { changesMs, revertMs, last } = await flappingAsProbed(seededRandom(seed), 200_000);
      const alertAtMs = changesMs[DEFAULT_RULE.flappingChanges - 1] ?? Infinity;
      const flapAtMs = changesMs[FLAP_MIN_CHANGES - 1] ?? Infinity;
      const fires = alertAtMs <= Math.min(ALERT_WITHIN_MS, revertMs) && flappingOf(changesMs, alertAtMs, DEFAULT_RULE.flappingChanges) !== null;
      if (!fires || flapAtMs >= ALERT_WITHIN_MS || last.status !== 'passing') {
        missed.push(`seed ${seed}: changes at ${changesMs.map((ms) => `${(ms / 1_000).toFixed(1)} s`).join(', ')}; reverted at ${revertMs / 1_000} s; ${last.status} at the end`);
      }
    }
    expect(missed).toEqual([]);
  });
});

describe('scheduleScenarios', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one scenario and reverts it: lose-etcd after a minute, long enough for its key to expire and the console to find it still serving', async () => {
    const { fleet, all } = fakeFleet();
    const log = vi.fn();
    const stop = scheduleScenarios(fleet, { once: 'lose-etcd', service: 'orders', random: Math.random, log, firstAfterMs: 1_000, revertAfterMs: 30_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(all.filter((i) => !i.inEtcd)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(all.filter((i) => !i.inEtcd)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(all.every(healthy)).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(log).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps breaking things every ~45 s, one at a time, until stopped', async () => {
    const { fleet, all } = fakeFleet();
    const log = vi.fn();
    const stop = scheduleScenarios(fleet, { everyMs: 45_000, random: seededRandom(2), log, firstAfterMs: 0, revertAfterMs: 30_000 });
    for (let second = 0; second < 300; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      const broken = new Set(all.filter((i) => !healthy(i)).map((i) => i.label.replace(/-\d+$/, '')));
      expect(broken.size).toBeLessThanOrEqual(1);
    }
    const started = log.mock.calls.filter(([message]) => String(message).includes('reverting in')).length;
    expect(started).toBeGreaterThanOrEqual(6);
    expect(started).toBeLessThanOrEqual(8);
    stop();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(log.mock.calls.filter(([message]) => String(message).includes('reverting in')).length).toBe(started);
  });

  it('never picks latency-spike under chaos before latency has a baseline, and does pick it afterwards', async () => {
    const early: string[] = [];
    const later: string[] = [];
    // Several schedules: scenarios held longer (lose-etcd's 60 s, flapping's 100 s) leave one only ~7 early picks.
    for (let seed = 1; seed <= 8; seed += 1) {
      const { fleet } = fakeFleet();
      const scheduledAt = Date.now();
      const log = (message: string): void => {
        const name = /^scenario ([\w-]+): .*reverting in/.exec(message)?.[1];
        if (name) (Date.now() - scheduledAt < BASELINE_READY_MS ? early : later).push(name);
      };
      const stop = scheduleScenarios(fleet, { everyMs: 20_000, random: seededRandom(seed), log, firstAfterMs: 0, revertAfterMs: 10_000 });
      await vi.advanceTimersByTimeAsync(BASELINE_READY_MS + 1_200_000);
      stop();
    }
    // Enough early picks to have met latency-spike, one in 7, had it been allowed.
    expect(early.length).toBeGreaterThanOrEqual(40);
    expect(early).not.toContain('latency-spike');
    expect(later).toContain('latency-spike');
  });

  it('starts a one-shot latency-spike only once latency has a baseline', async () => {
    const { fleet, all } = fakeFleet();
    const stop = scheduleScenarios(fleet, { once: 'latency-spike', service: 'inventory', random: Math.random, log: () => undefined, firstAfterMs: 5_000, revertAfterMs: 30_000 });
    await vi.advanceTimersByTimeAsync(BASELINE_READY_MS - 1);
    expect(all.filter((instance) => instance.faults.latencyFactor !== 1)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fleet.instancesOf('inventory').map((instance) => instance.faults.latencyFactor)).toEqual([10, 10]);
    stop();
  });
});
