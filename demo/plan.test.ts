import { describe, expect, it } from 'vitest';
import { FORMATS } from '@/lib/model/instance';
import { calledServices, DEMO_PLAN, externalsOf, planProblems, scaleCalls, scalePlan, type ServicePlan } from './plan';

describe('DEMO_PLAN', () => {
  it('is sound', () => {
    expect(planProblems(DEMO_PLAN)).toEqual([]);
  });

  it('uses every registry format', () => {
    expect(new Set(DEMO_PLAN.map((service) => service.format))).toEqual(new Set(FORMATS));
  });

  it('is a dozen-ish services with 2–4 instances each', () => {
    expect(DEMO_PLAN.length).toBeGreaterThanOrEqual(12);
    for (const service of DEMO_PLAN) expect([2, 3, 4]).toContain(service.instances);
  });

  it('has one origin of traffic and a queue with a publisher and a consumer', () => {
    expect(DEMO_PLAN.filter((service) => service.origin).map((s) => s.service)).toEqual(['ingress']);
    expect(DEMO_PLAN.find((service) => service.consumes === 'kafka')?.service).toBe('notifications');
    expect(DEMO_PLAN.find((service) => service.service === 'orders')?.calls.some((call) => call.to === 'kafka')).toBe(true);
  });

  it('reports more than half its instances through OpenTelemetry, queue producer, consumer and MySQL callers among them', () => {
    const otlp = DEMO_PLAN.filter((service) => service.otlp);
    const instances = (services: readonly ServicePlan[]): number => services.reduce((sum, service) => sum + service.instances, 0);
    expect(instances(otlp) * 2).toBeGreaterThan(instances(DEMO_PLAN));
    expect(otlp.filter((service) => service.consumes === 'kafka' || service.calls.some((call) => call.to === 'kafka'))).toHaveLength(2);
    const mysqlCallers = DEMO_PLAN.filter((service) => service.calls.some((call) => call.to === 'mysql'));
    expect(mysqlCallers.length).toBeGreaterThan(0);
    expect(mysqlCallers.every((service) => service.otlp)).toBe(true);
    // Some of each kind too, so both reporting paths meet on the map.
    expect(DEMO_PLAN.some((service) => !service.otlp && service.calls.some((call) => otlp.some((o) => o.service === call.to)))).toBe(true);
  });

  it('gives gRPC health to the gRPC-style frameworks', () => {
    expect(DEMO_PLAN.filter((service) => service.grpcHealth).map((service) => service.format).sort()).toEqual(['grpc-go', 'kitex']);
  });
});

describe('planProblems', () => {
  it('names unknown targets, self-calls and repeated names', () => {
    const latency = { medianMs: 1, sigma: 0.5 };
    expect(
      planProblems([
        { service: 'a', format: 'native', instances: 1, latency, calls: [{ to: 'nowhere', chance: 1 }, { to: 'a', chance: 1 }] },
        { service: 'a', format: 'native', instances: 1, latency, calls: [{ to: 'postgres', chance: 1 }] },
      ]),
    ).toEqual(['service names repeat', 'a calls unknown nowhere', 'a calls itself']);
  });
});

describe('calledServices and externalsOf', () => {
  it('finds the services with callers and the externals a service uses', () => {
    expect(calledServices(DEMO_PLAN)).not.toContain('ingress');
    expect(calledServices(DEMO_PLAN)).toContain('mailer');
    const notifications = DEMO_PLAN.find((service) => service.service === 'notifications');
    expect(notifications && externalsOf(notifications)).toEqual(['kafka']);
  });
});

describe('scalePlan', () => {
  it('spreads the instances evenly over uniquely named services in every format', () => {
    const plan = scalePlan(500, 5003);
    expect(plan).toHaveLength(500);
    expect(plan.reduce((sum, service) => sum + service.instances, 0)).toBe(5003);
    expect(new Set(plan.map((service) => service.instances))).toEqual(new Set([10, 11]));
    expect(new Set(plan.map((service) => service.service)).size).toBe(500);
    expect(new Set(plan.map((service) => service.format))).toEqual(new Set(FORMATS));
    expect(plan[0]?.service).toBe('orders-001');
  });
});

describe('scaleCalls', () => {
  /** Calls on the longest path from any service, counted in services. */
  const depth = (calls: number[][]): number => {
    const longest = new Map<number, number>();
    const from = (index: number): number => {
      const known = longest.get(index);
      if (known !== undefined) return known;
      const value = 1 + Math.max(0, ...(calls[index] ?? []).map(from));
      longest.set(index, value);
      return value;
    };
    return Math.max(...calls.map((_, index) => from(index)));
  };

  it.each([
    [2, 2],
    [10, 2],
    [37, 4],
    [50, 5],
    [500, 5],
  ])('lays %i services out in %i tiers of calls one way, every service below the front called', (services, tiers) => {
    const calls = scaleCalls(services);
    expect(calls).toHaveLength(services);
    for (const [caller, callees] of calls.entries()) {
      expect(callees.length).toBeLessThanOrEqual(3);
      for (const callee of callees) expect(callee).toBeGreaterThan(caller);
    }
    expect(depth(calls)).toBe(tiers);
    const called = new Set(calls.flat());
    const front = calls.findIndex((_, index) => called.has(index));
    expect(front).toBeGreaterThan(0);
    for (let index = front; index < services; index++) expect(called.has(index)).toBe(true);
    expect(calls.slice(0, front).every((callees) => callees.length > 0)).toBe(true);
  });

  it('gives a single service nobody to call', () => {
    expect(scaleCalls(1)).toEqual([[]]);
  });
});
