import { describe, expect, it, vi } from 'vitest';
import type { Caller } from './caller';
import { HEALTHY } from './instance-server';
import type { ServicePlan } from './plan';
import { createCallStats } from './stats';
import { createWork } from './work';

const quick = { medianMs: 0.01, sigma: 0.1 };
const from = { service: 'orders', instance: 'orders-1' };

/** Virtual time: sleeping moves it on at once; a call to another service takes `callMs` of it. */
function virtualClock(callMs = 0) {
  let now = 0;
  return { clock: { now: () => now, sleep: async (ms: number) => void (now += ms) }, call: () => void (now += callMs), elapsed: () => now };
}

function setUp(plan: Partial<ServicePlan>, failing: readonly string[] = [], random: () => number = () => 0.5, time = virtualClock()) {
  const called: string[] = [];
  const caller: Caller = {
    async call(service) {
      called.push(service);
      time.call();
      if (failing.includes(service)) throw new Error(`${service} down`);
    },
  };
  const publish = vi.fn();
  const stats = createCallStats();
  const faults = { ...HEALTHY };
  const work = createWork({
    plan: { service: 'orders', format: 'go-micro', instances: 1, latency: quick, calls: [], ...plan },
    faults,
    caller,
    from: () => from,
    stats,
    random,
    registeredName: (service) => (service === 'mailer' ? 'com.example.mailer.Provider' : service),
    publish,
    clock: time.clock,
  });
  return { work, called, publish, stats, faults };
}

describe('createWork', () => {
  it('calls services by their registered names and externals in-process, publishing to queues', async () => {
    const { work, called, publish, stats } = setUp({
      calls: [
        { to: 'payments', chance: 1 },
        { to: 'mailer', chance: 1 },
        { to: 'kafka', chance: 1 },
        { to: 'shipping', chance: 0.1 },
      ],
    });
    expect(await work()).toBe(200);
    expect(called).toEqual(['payments', 'com.example.mailer.Provider']);
    expect(publish).toHaveBeenCalledWith('kafka', {});
    expect(stats.take()[0]?.calls).toEqual([expect.objectContaining({ to: 'kafka', count: 1, errors: 0 })]);
  });

  it('answers 502 when a required call fails, and shrugs off an optional one', async () => {
    expect(await setUp({ calls: [{ to: 'payments', chance: 1 }] }, ['payments']).work()).toBe(502);
    expect(await setUp({ calls: [{ to: 'payments', chance: 1, optional: true }] }, ['payments']).work()).toBe(200);
  });

  it('answers 503 without calling anything during an error burst', async () => {
    const { work, called, faults } = setUp({ calls: [{ to: 'payments', chance: 1 }] });
    faults.errorRate = 0.6;
    expect(await work()).toBe(503);
    expect(called).toEqual([]);
  });

  it('answers 10× slower in a 10× latency spike, its downstream calls included, as its callers see it', async () => {
    const answerMs = async (latencyFactor: number): Promise<number> => {
      const time = virtualClock(20);
      const { work, faults } = setUp({ latency: { medianMs: 4, sigma: 0 }, calls: [{ to: 'postgres', chance: 1 }, { to: 'payments', chance: 1 }] }, [], () => 0.5, time);
      faults.latencyFactor = latencyFactor;
      expect(await work()).toBe(200);
      return time.elapsed();
    };
    const usual = await answerMs(1);
    // 4 ms own work + postgres + 20 ms in payments: the spike is not just the 4 ms.
    expect(usual).toBeGreaterThan(24);
    expect(await answerMs(10)).toBeCloseTo(10 * usual, 6);
  });
});
