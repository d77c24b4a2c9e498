import { afterEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../store/store';
import { pairsKey, structuralChanges } from './watch';

const register = (store: Store, service: string, n: number, patch: { dependsOn?: string[]; metadata?: Record<string, string> } = {}): void =>
  store.upsertKey({
    etcdKey: `/services/${service}/${n}`,
    lease: undefined,
    registrations: [{ service, id: `${service}-${n}`, address: `127.0.0.1:${n + 1}`, format: 'native', metadata: patch.metadata ?? {}, dependsOn: patch.dependsOn ?? [] }],
  });

/** A real store with the watch on its summary batches, as service.ts wires it. */
function watched(store: Store): { structuralSinceLastLook(): boolean; stop(): void } {
  const changed = structuralChanges(store.summarySnapshot().services);
  let structural = false;
  const stop = store.subscribeViews((delta) => {
    if (changed(delta)) structural = true;
  });
  return {
    structuralSinceLastLook() {
      store.flush();
      const seen = structural;
      structural = false;
      return seen;
    },
    stop,
  };
}

describe('structuralChanges (a real store\'s summary batches)', () => {
  let store: Store | undefined;
  let watch: ReturnType<typeof watched> | undefined;
  afterEach(() => {
    watch?.stop();
    store?.close();
  });

  /** gateway → orders → postgres (a database by metadata), payments → orders; the watch starts on it. */
  const fleet = (): { store: Store; watch: ReturnType<typeof watched> } => {
    store = createStore({ coalesceMs: 0 });
    register(store, 'gateway', 1, { dependsOn: ['orders'] });
    register(store, 'orders', 1, { dependsOn: ['postgres'], metadata: { 'external.postgres': 'database' } });
    register(store, 'payments', 1, { dependsOn: ['orders'] });
    watch = watched(store);
    return { store, watch };
  };

  it('does not see a burst of new instances with their own metadata in existing services, nor their statuses and drains', () => {
    const { store, watch } = fleet();
    const services = ['gateway', 'orders', 'payments'];
    for (let n = 2; n < 1_002; n += 1) {
      const service = services[n % services.length] ?? 'orders';
      // What the scale benchmark puts: each instance with metadata values of its own, no dependsOn.
      register(store, service, n, { metadata: { team: 'bench', commit: `c${n}` } });
      if (n % 100 === 0) expect(watch.structuralSinceLastLook(), `after ${n} instances`).toBe(false);
    }
    // A replica declaring what its service already declares.
    register(store, 'orders', 5_000, { dependsOn: ['postgres'], metadata: { 'external.postgres': 'database', commit: 'x' } });
    expect(watch.structuralSinceLastLook()).toBe(false);
    store.setHealth('/services/orders/1', { status: 'critical', statusCause: 'HTTP 503' });
    store.setDrain('payments', 'payments-1', { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' });
    for (let n = 2; n < 500; n += 1) store.removeKey(`/services/${services[n % services.length] ?? 'orders'}/${n}`);
    expect(watch.structuralSinceLastLook()).toBe(false);
  });

  it('does not see an external change kind: every external is drawn at one size', () => {
    const { store, watch } = fleet();
    register(store, 'orders', 1, { dependsOn: ['postgres'], metadata: { 'external.postgres': 'cache' } });
    expect(watch.structuralSinceLastLook()).toBe(false);
  });

  it('sees a service appear or go, its dependencies change and a new external', () => {
    const { store, watch } = fleet();
    register(store, 'audit', 1, { dependsOn: ['payments'] });
    expect(watch.structuralSinceLastLook()).toBe(true);
    expect(watch.structuralSinceLastLook()).toBe(false);
    // One replica declaring one more dependency adds an edge; its going takes it away.
    register(store, 'gateway', 2, { dependsOn: ['orders', 'payments'] });
    expect(watch.structuralSinceLastLook()).toBe(true);
    store.removeKey('/services/gateway/2');
    expect(watch.structuralSinceLastLook()).toBe(true);
    // A new external by metadata alone (a node of its own).
    register(store, 'payments', 2, { metadata: { 'external.kafka': 'queue' } });
    expect(watch.structuralSinceLastLook()).toBe(true);
    // The last instance of a service going takes its node away.
    store.removeKey('/services/audit/1');
    expect(watch.structuralSinceLastLook()).toBe(true);
    expect(watch.structuralSinceLastLook()).toBe(false);
  });
});

describe('pairsKey', () => {
  it('changes with the pairs, not their order or figures', () => {
    const edge = (from: string, to: string, rps: number) => ({ from, to, rps, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
    expect(pairsKey([edge('a', 'b', 1), edge('b', 'c', 2)])).toBe(pairsKey([edge('b', 'c', 9), edge('a', 'b', 5)]));
    expect(pairsKey([edge('a', 'b', 1)])).not.toBe(pairsKey([edge('a', 'b', 1), edge('a', 'c', 1)]));
  });
});
