import { describe, expect, it } from 'vitest';
import type { EventPage } from '@/lib/model/events';
import type { IngestBatch } from '@/lib/model/ingest';
import type { Service } from '@/lib/model/instance';
import type { InstanceLatency } from '@/lib/model/latency';
import { serverForFile } from '../support/file-server';
import { perAttempt } from '../support/names';
import { eventually } from '../support/server';

const stack = serverForFile({ env: { SWITCHYARD_PROBE_INTERVAL_MS: '500' }, healthTarget: true });

/**
 * A service of its own per attempt, with one instance (`<name>-1`) on the health target: a retry's
 * would still hold the first attempt's calls in its windows.
 */
async function register(base: string): Promise<string> {
  const name = perAttempt(base);
  await stack.etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: stack.target.address, health: { http: '/healthz' } }));
  return name;
}

const fetchService = async (name: string): Promise<Service> => (await (await stack.server.fetch(`/api/v1/services/${name}`)).json()) as Service;

/** The last `seconds` of calls from web to `<name>-1`, `errorShare` of them failing. */
const calls = (name: string, seconds: number, errorShare: number): IngestBatch => ({
  reporter: { service: 'web', instance: 'web-1' },
  intervalStart: new Date(Date.now() - seconds * 1_000).toISOString(),
  intervalSeconds: seconds,
  calls: [{ to: name, toInstance: `${name}-1`, count: seconds * 20, errors: Math.round(seconds * 20 * errorShare), latencyMs: { bounds: [10, 25], counts: [seconds * 20, 0, 0] } }],
});

describe('status from reported calls on a real server', () => {
  it('turns a passing instance critical during a 60 % error burst, says so everywhere with the error cause, and recovers', async () => {
    const name = await register('orders');
    const orders = (): Promise<Service> => fetchService(name);
    await eventually(async () => ((await orders())?.instances[0]?.status === 'passing' ? true : undefined), 20_000, `${name}-1 passing`);
    const ingest = await stack.server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls(name, 30, 0.6)) });
    expect(ingest.status).toBeLessThan(300);
    // Judged every 5 s.
    const burst = await eventually(async () => {
      const service = await orders();
      return service?.instances[0]?.status === 'critical' ? service : undefined;
    }, 15_000, `${name}-1 critical`);
    expect(burst.instances[0]?.statusCause).toBe('error rate 60 % over 30 s (threshold 25 %)');
    expect(burst.status).toBe('critical');
    expect(burst.cause).toBe(`its only instance failing — ${name}-1: error rate 60 % over 30 s (threshold 25 %)`);
    const rows = await eventually(async () => {
      const page = (await (await stack.server.fetch(`/api/v1/events?service=${name}&kind=health.changed`)).json()) as EventPage;
      return page.events.some((event) => event.to === 'critical') ? page.events : undefined;
    }, 5_000, 'the health.changed row');
    expect(rows.find((event) => event.to === 'critical')?.detail).toBe('error rate 60 % over 30 s (threshold 25 %)');
    // The instance rows' figures are the ones the status weighed.
    const latency = (await (await stack.server.fetch(`/api/v1/services/${name}/instances/latency?window=5m`)).json()) as { instances: InstanceLatency[] };
    const recent = latency.instances.find((instance) => instance.id === `${name}-1`)?.recent;
    expect(recent && recent.errors / recent.calls).toBeCloseTo(0.6, 2);
    // Clean calls from now on: once the burst has left the 30 s window, the probe's verdict is back.
    const clean = setInterval(() => void stack.server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls(name, 1, 0)) }), 1_000);
    try {
      await eventually(async () => ((await orders())?.instances[0]?.status === 'passing' ? true : undefined), 45_000, `${name}-1 passing again`);
    } finally {
      clearInterval(clean);
    }
  });

  it('warns on a 10× latency spike against the service\u2019s own baseline, with the latency cause on the instance and the service', async () => {
    const name = await register('inventory');
    // A bystander with ordinary calls of its own.
    const bystander = await register('orders');
    const inventory = (): Promise<Service> => fetchService(name);
    const post = (batch: IngestBatch) => stack.server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    /** `seconds` of calls to `<name>-1` ending now, 20 a second, all within `latencyMs`. */
    const slowCalls = (seconds: number, latencyMs: number): IngestBatch => ({
      reporter: { service: 'web', instance: 'web-1' },
      intervalStart: new Date(Date.now() - seconds * 1_000).toISOString(),
      intervalSeconds: seconds,
      calls: [{ to: name, toInstance: `${name}-1`, count: seconds * 20, errors: 0, latencyMs: { bounds: [latencyMs], counts: [seconds * 20, 0] } }],
    });
    await eventually(async () => ((await inventory())?.instances[0]?.status === 'passing' ? true : undefined), 20_000, `${name}-1 passing`);
    await eventually(async () => ((await fetchService(bystander))?.instances[0]?.status === 'passing' ? true : undefined), 20_000, `${bystander}-1 passing`);
    expect((await post(calls(bystander, 30, 0))).status).toBeLessThan(300);
    // The baseline: five minutes of calls at ~20 ms in one report (the longest interval a report may
    // cover), which fills the five per-minute slots the baseline needs; then 30 s at ~200 ms.
    expect((await post(slowCalls(300, 20))).status).toBeLessThan(300);
    expect((await post(slowCalls(30, 200))).status).toBeLessThan(300);
    const spike = await eventually(async () => {
      const service = await inventory();
      return service?.instances[0]?.status === 'warning' ? service : undefined;
    }, 15_000, `${name}-1 warning`);
    const cause = spike.instances[0]?.statusCause ?? '';
    expect(cause).toMatch(/^p95 \d+ ms, \d+(\.\d)?× its usual \d+ ms$/);
    expect(Number(/, ([\d.]+)×/.exec(cause)?.[1])).toBeGreaterThan(3);
    expect(spike).toMatchObject({ status: 'warning', cause });
    // Only on its target: the bystander, with its ordinary calls, says nothing about latency.
    expect((await fetchService(bystander)).instances[0]?.statusCause).not.toMatch(/^p95/);
  });
});
