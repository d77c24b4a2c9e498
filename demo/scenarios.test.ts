import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEALTHY } from './instance-server';
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
    const { fleet, all } = fakeFleet();
    const started: { name: string; at: number }[] = [];
    const log = (message: string): void => {
      const name = /^scenario ([\w-]+): .*reverting in/.exec(message)?.[1];
      if (name) started.push({ name, at: Date.now() });
    };
    const scheduledAt = Date.now();
    // Seeded so latency-spike would come up early if it were allowed.
    const stop = scheduleScenarios(fleet, { everyMs: 20_000, random: seededRandom(7), log, firstAfterMs: 0, revertAfterMs: 10_000 });
    await vi.advanceTimersByTimeAsync(BASELINE_READY_MS + 1_200_000);
    stop();
    const early = started.filter((entry) => entry.at - scheduledAt < BASELINE_READY_MS);
    // Enough early picks to have met latency-spike (scenarios held longer, lose-etcd's 60 s and flapping's 50 s, start fewer).
    expect(early.length).toBeGreaterThanOrEqual(10);
    expect(early.map((entry) => entry.name)).not.toContain('latency-spike');
    expect(started.filter((entry) => entry.at - scheduledAt >= BASELINE_READY_MS).map((entry) => entry.name)).toContain('latency-spike');
    expect(all.filter((instance) => instance.faults.latencyFactor !== 1)).toEqual([]);
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
