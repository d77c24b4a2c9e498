import { describe, expect, it, vi } from 'vitest';
import type { Caller } from './caller';
import { HEALTHY } from './instance-server';
import type { ServicePlan } from './plan';
import { createCallStats } from './stats';
import { createWork } from './work';

const quick = { medianMs: 0.01, sigma: 0.1 };
const from = { service: 'orders', instance: 'orders-1' };

function setUp(plan: Partial<ServicePlan>, failing: readonly string[] = [], random: () => number = () => 0.5) {
  const called: string[] = [];
  const caller: Caller = {
    async call(service) {
      called.push(service);
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
});
