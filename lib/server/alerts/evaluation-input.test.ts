import { afterEach, describe, expect, it } from 'vitest';
import { currentConditions, type EvaluationInput } from '@/lib/model/alerts/conditions';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import { AlertRulesSchema, type AlertName } from '@/lib/model/alerts/rules';
import { DRAIN_STATES } from '@/lib/model/drain';
import type { CauseKind, Status } from '@/lib/model/instance';
import type { EdgeStats } from '@/lib/model/latency';
import type { Registration } from '@/lib/model/registration';
import { deriveTopology } from '@/lib/model/topology/topology';
import { probableOrigins } from '@/lib/model/topology/graph';
import { createManualClock } from '@/tests/support/manual-clock';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from '../store/store';
import { evaluationInput } from './evaluation-input';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** mulberry32: deterministic fleets, so a failure names its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Today's path: the whole fleet's snapshot, every service summarised again for the topology. */
function fullSnapshotInput(store: Store, edges: readonly EdgeStats[]): EvaluationInput {
  const snapshot = store.snapshot();
  const topology = deriveTopology(snapshot.services, edges);
  return { services: snapshot.services, topology, origins: probableOrigins(topology, { now: 0 }), registry: snapshot.registry };
}

const EXTERNALS = ['orders-db', 'cache', 'events'];
const rules = AlertRulesSchema.parse({ defaults: { criticalForSeconds: 30, warningForSeconds: 60, drainStuckSeconds: 60 }, services: { 'svc-3': { disabled: ['DrainStuck'] } } });

/** A varied fleet: mostly passing services, some failing by probe, error rate, latency or membership; lost, draining and drained instances; declared and observed dependencies. */
function fleet(random: () => number, store: Store) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const names = Array.from({ length: 10 + Math.floor(random() * 20) }, (_, n) => `svc-${n}`);
  names.push('constructor');
  const keys: { key: string; service: string; id: string }[] = [];
  for (const service of names) {
    const failingKind = pick<CauseKind | 'none'>(['none', 'none', 'none', 'probe', 'error_rate', 'latency', 'membership']);
    for (let n = 0, count = 1 + Math.floor(random() * 5); n < count; n += 1) {
      const id = `${service}-${n}`;
      const registration: Registration = {
        service,
        id,
        address: `10.0.0.${n}:80`,
        format: 'native',
        zone: pick(['a', 'b', 'c']),
        metadata: random() < 0.2 ? { [`external.${pick(EXTERNALS)}`]: pick(['database', 'cache', 'queue']) } : {},
        ...(random() < 0.3 ? { dependsOn: [pick([...names, ...EXTERNALS])] } : {}),
      };
      const key = `/services/${service}/${id}`;
      store.upsertKey({ etcdKey: key, lease: undefined, registrations: [registration] });
      keys.push({ key, service, id });
      if (random() < 0.15) {
        // A lost instance: its stand-in, as lib/server/lost keeps it.
        const lostKey = `${STAND_IN_KEY_PREFIX}/services/${service}/${id}-gone`;
        const lostAt = iso(T0 - Math.floor(random() * 600_000));
        store.upsertKey({ etcdKey: lostKey, lease: undefined, registrations: [{ ...registration, id: `${id}-gone`, lost: { at: lostAt, cause: pick(['lease expired', 'connection refused']), passingBefore: Math.floor(random() * 4) } }] });
        store.setHealth(lostKey, { status: 'critical', statusCause: 'lost: lease expired', statusSince: lostAt });
      }
    }
    for (const { key, id } of keys.filter((entry) => entry.service === service)) {
      const fails = failingKind !== 'none' && random() < 0.7;
      const status: Status = fails ? (failingKind === 'probe' ? pick<Status>(['critical', 'warning']) : 'warning') : pick<Status>(['passing', 'passing', 'passing', 'unknown']);
      // Flapping lately, whatever its status now: changes into and out of critical, some leaving the window during the evaluations.
      // Three draws, as many as the fleets were seeded with: more would make other fleets.
      const spread = random() < 0.1 ? [random(), random(), random()] : undefined;
      const flapped = spread ? { criticalChangesMs: [5, 4, 3, 2, 1].map((ago, n) => T0 - ago * 90_000 - Math.floor((spread[n % 3] ?? 0) * 80_000)).sort((a, b) => a - b) } : {};
      if (status === 'unknown' && random() < 0.5) {
        // Probed before, unanswered now: unknown, yet an origin when the calls to it fail.
        store.setHealth(key, { status, statusCause: 'probe timed out', passedAt: iso(T0 - 3_600_000), ...flapped });
      } else if (status !== 'unknown') {
        store.setHealth(key, {
          status,
          statusCause: fails ? `${failingKind} says no` : 'probe OK',
          ...(fails ? { statusCauseKind: failingKind as CauseKind } : {}),
          ...(random() < 0.9 ? { passedAt: iso(T0 - 3_600_000) } : {}),
          ...flapped,
        });
      }
      if (random() < 0.12) {
        store.setDrain(service, id, { by: 'ops', reason: 'deploy', at: iso(T0 - Math.floor(random() * 1_200_000)) });
        store.setDrainState(key, pick(DRAIN_STATES));
      }
    }
  }
  const edges: EdgeStats[] = Array.from({ length: Math.floor(random() * 20) }, () => ({
    from: pick(names),
    to: pick([...names, ...EXTERNALS]),
    rps: pick([0.05, 1, 20]),
    errorRate: pick([null, 0, 0.1, 0.7]),
    p50Ms: 5,
    p95Ms: 20,
    p99Ms: 40,
  }));
  if (random() < 0.3) store.setRegistryStatus({ state: 'unreachable', message: 'etcd: connection refused' });
  /** A few instances change between evaluations: failures start and end, drains move on. */
  const churn = (): void => {
    for (let n = 0; n < 5; n += 1) {
      const { key, service, id } = pick(keys);
      if (random() < 0.3) store.setDrainState(key, pick(DRAIN_STATES));
      else if (random() < 0.1) store.setDrain(service, id, null);
      else store.setHealth(key, { status: pick<Status>(['passing', 'critical', 'warning']), statusCause: 'changed', statusCauseKind: pick<CauseKind>(['probe', 'error_rate', 'latency']), passedAt: iso(T0) });
    }
  };
  return { edges, churn };
}

let store: Store;
afterEach(() => store.close());

describe('alert evaluation from summaries', () => {
  it('gives the same conditions, transitions and alerts as the full snapshot, over varied fleets, building only the services that can alert', () => {
    const raised = new Set<AlertName>();
    let built = 0;
    let registered = 0;
    /** Registered services that are probable origins yet cannot alert (unknown, calls to them failing): no DependencyFailing for them. */
    let leftOutOrigins = 0;
    for (let seed = 1; seed <= 40; seed += 1) {
      const random = seeded(seed);
      store = createStore({ coalesceMs: 50, clock: createManualClock(), now: () => new Date(T0) });
      const { edges, churn } = fleet(random, store);
      const fromSummaries = createAlertEngine({ rules });
      const fromSnapshot = createAlertEngine({ rules });
      for (let step = 0; step < 6; step += 1) {
        const nowMs = T0 + step * 30_000;
        const input = evaluationInput(store, edges, nowMs);
        const full = fullSnapshotInput(store, edges);
        expect(currentConditions(input, rules, nowMs), `seed ${seed} step ${step}`).toEqual(currentConditions(full, rules, nowMs));
        expect(fromSummaries.evaluate(input, nowMs), `seed ${seed} step ${step}`).toEqual(fromSnapshot.evaluate(full, nowMs));
        expect(fromSummaries.alerts(), `seed ${seed} step ${step}`).toEqual(fromSnapshot.alerts());
        for (const condition of currentConditions(full, rules, nowMs)) raised.add(condition.labels.alertname);
        const withInstances = new Set(input.services.map((service) => service.name));
        leftOutOrigins += input.origins.filter((origin) => !withInstances.has(origin.id) && full.services.some((service) => service.name === origin.id)).length;
        built += input.services.length;
        registered += full.services.length;
        churn();
      }
      store.close();
    }
    store = createStore({ coalesceMs: 0 });
    // The fleets exercise every alert, and the passing majority is left out.
    expect([...raised].sort()).toEqual(['DependencyFailing', 'DrainStuck', 'InstancesLost', 'RegistryUnreachable', 'ServiceCritical', 'ServiceErrorRate', 'ServiceFlapping', 'ServiceLatency']);
    expect(built).toBeLessThan(registered * 0.8);
    expect(leftOutOrigins).toBeGreaterThan(0);
  });

  it('skips the topology while fewer than two nodes could be failing, with the same conditions as the full snapshot', () => {
    store = createStore({ coalesceMs: 0 });
    const register = (service: string, status: Status): void => {
      const etcdKey = `/services/${service}/${service}-1`;
      store.upsertKey({ etcdKey, lease: undefined, registrations: [{ service, id: `${service}-1`, address: '10.0.0.1:80', format: 'native', metadata: {}, dependsOn: ['db'] }] });
      store.setHealth(etcdKey, { status, statusCause: status === 'passing' ? 'probe OK' : 'HTTP 503', passedAt: iso(T0) });
    };
    register('api', 'critical');
    register('web', 'passing');
    const failingDb: EdgeStats[] = [{ from: 'web', to: 'db', rps: 50, errorRate: 0.9, p50Ms: 3, p95Ms: 9, p99Ms: 12 }];
    const one = evaluationInput(store, [], 0);
    expect(one.topology.nodes).toEqual([]);
    expect(currentConditions(one, rules, 0)).toEqual(currentConditions(fullSnapshotInput(store, []), rules, 0));
    // A second failing node (calls to the database failing): origins matter again, and so does the topology.
    const two = evaluationInput(store, failingDb, 0);
    expect(two.topology.nodes.map((node) => node.id)).toEqual(['api', 'db', 'web']);
    expect(two.origins.map((origin) => origin.id)).toEqual(['db']);
    expect(currentConditions(two, rules, 0)).toEqual(currentConditions(fullSnapshotInput(store, failingDb), rules, 0));
  });

  it('sees a change made just before it, within the summaries\' 100 ms batch', () => {
    const clock = createManualClock();
    store = createStore({ coalesceMs: 50, clock });
    store.upsertKey({ etcdKey: '/services/web/web-1', lease: undefined, registrations: [{ service: 'web', id: 'web-1', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.setHealth('/services/web/web-1', { status: 'passing', statusCause: 'probe OK', passedAt: iso(T0) });
    expect(evaluationInput(store, [], 0).services).toEqual([]);
    // No timer has run since: the delta and its summary are still waiting for their windows.
    store.setHealth('/services/web/web-1', { status: 'critical', statusCause: 'HTTP 503', passedAt: iso(T0) });
    const input = evaluationInput(store, [], 0);
    expect(input.services.map((service) => `${service.name} ${service.status}`)).toEqual(['web critical']);
    expect(currentConditions(input, rules, 0).map((condition) => condition.labels.alertname)).toEqual(['ServiceCritical']);
  });
});
