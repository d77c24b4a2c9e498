import * as promClient from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiAdmission } from './api-admission/admission';
import { createMetrics } from './metrics';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from './store/store';

// Counted: each collection starts an event-loop delay monitor and a GC observer that nothing stops.
vi.mock('prom-client', async (importOriginal) => {
  const actual = await importOriginal<typeof promClient>();
  return { ...actual, collectDefaultMetrics: vi.fn(actual.collectDefaultMetrics) };
});

let store: Store;
afterEach(() => store.close());

describe('metrics', () => {
  it('counts registered instances in switchyard_instances_known, not lost instances kept on screen', async () => {
    store = createStore({ coalesceMs: 0 });
    const registration = (id: string) => ({ service: 'users', id, address: `10.0.0.${id.length}:80`, format: 'native' as const, metadata: {} });
    store.upsertKey({ etcdKey: '/s/users/a', lease: '7', registrations: [registration('a')] });
    const lost = { at: '2026-12-03T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC', passingBefore: 2 };
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/s/users/bb`, lease: undefined, registrations: [{ ...registration('bb'), lost }] });
    const { registry } = createMetrics(store);
    const gauge = (await registry.getSingleMetric('switchyard_instances_known')?.get())?.values[0]?.value;
    expect(gauge).toBe(1);
  });

  it('counts API requests refused by reason in switchyard_api_requests_refused_total, and those in progress and waiting in switchyard_api_requests', async () => {
    store = createStore({ coalesceMs: 0 });
    const metrics = createMetrics(store);
    const admission = createApiAdmission({ clientInFlight: 1, clientWaiting: 1, totalInFlight: 2, totalWaiting: 2 });
    metrics.watchApi(admission);
    // a1 and b1 hold both places, a2 and c1 fill the wait; a3 is past a's wait, d1 and e1 past everyone's.
    for (const client of ['a', 'a', 'a', 'b', 'c', 'd', 'e']) admission.enter(client, () => undefined);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# TYPE switchyard_api_requests_refused_total counter$/m);
    expect(text).toMatch(/^switchyard_api_requests_refused_total\{reason="client_queue_full"\} 1$/m);
    expect(text).toMatch(/^switchyard_api_requests_refused_total\{reason="total_queue_full"\} 2$/m);
    expect(text).toMatch(/^switchyard_api_requests\{state="in_flight"\} 2$/m);
    expect(text).toMatch(/^switchyard_api_requests\{state="waiting"\} 2$/m);
    // Counted once, however often it is scraped.
    expect(await metrics.registry.metrics()).toMatch(/^switchyard_api_requests_refused_total\{reason="total_queue_full"\} 2$/m);
  });

  it('collects the process metrics once per process, however many runtimes start in it, and each runtime\u2019s registry reports them', async () => {
    store = createStore({ coalesceMs: 0 });
    const registries = [createMetrics(store).registry, createMetrics(store).registry];
    expect(promClient.collectDefaultMetrics).toHaveBeenCalledTimes(1);
    for (const registry of registries) {
      const text = await registry.metrics();
      expect(text).toMatch(/^switchyard_process_process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^switchyard_process_nodejs_eventloop_lag_p99_seconds \d/m);
      expect(text).toMatch(/^# TYPE switchyard_instances_known gauge$/m);
    }
  });
});
