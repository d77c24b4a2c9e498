import { describe, expect, it } from 'vitest';
import type { CauseKind, Instance, Status } from '../instance';
import type { RegistryStatus } from '../live';
import { toService } from '../state';
import { deriveTopology } from '../topology/topology';
import { probableOrigins } from '../topology/graph';
import { createAlertEngine, type AlertTransition, type AlertView } from './engine';
import { AlertRulesSchema, DEFAULT_ALERT_RULES, type AlertRules } from './rules';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const SYNCED: RegistryStatus = { state: 'synced', since: new Date(T0).toISOString() };
const PASSED = new Date(T0 - 60_000).toISOString();

interface Spec {
  status?: Status;
  cause?: string;
  causeKind?: CauseKind;
  dependsOn?: string[];
  instances?: number;
  lost?: number;
  /** Of the lost instances, how many still serve out of discovery (`lost.stillServing`). */
  serving?: number;
  zone?: string;
}

function instance(service: string, index: number, spec: Spec): Instance {
  const id = `${service}-${index}`;
  return {
    id,
    service,
    key: `/services/${service}/${id}`,
    address: `10.0.0.${index}:80`,
    format: 'native',
    metadata: {},
    dependsOn: spec.dependsOn ?? [],
    status: spec.status ?? 'passing',
    statusCause: spec.cause ?? 'probe OK',
    ...(spec.causeKind !== undefined ? { statusCauseKind: spec.causeKind } : {}),
    drain: null,
    passedAt: PASSED,
    ...(spec.zone !== undefined ? { zone: spec.zone } : {}),
  };
}

/** The fleet through the real model: toService rolls statuses up, deriveTopology and probableOrigins find the origin. */
function fleet(specs: Record<string, Spec>, registry: RegistryStatus = SYNCED) {
  const services = Object.entries(specs).map(([name, spec]) => {
    const instances = new Map<string, Instance>();
    const count = spec.instances ?? 1;
    for (let index = 1; index <= count; index += 1) {
      const live = instance(name, index, spec);
      const isLost = index <= (spec.lost ?? 0);
      const stillServing = index <= (spec.serving ?? 0) ? { stillServing: true as const } : {};
      const value: Instance = isLost ? { ...live, status: 'critical', lost: { at: new Date(T0).toISOString(), cause: 'lease expired', passingBefore: count, ...stillServing } } : live;
      instances.set(value.key, value);
    }
    return toService(name, instances);
  });
  const topology = deriveTopology(services);
  return { services, topology, origins: probableOrigins(topology, { now: 0 }), registry };
}

const rules = (json: unknown): AlertRules => AlertRulesSchema.parse(json);
const FAST = rules({ defaults: { criticalForSeconds: 30, warningForSeconds: 60 } });

const summary = (transitions: AlertTransition[]): string[] => transitions.map((t) => `${t.kind} ${t.alert.labels.alertname} ${t.alert.labels.service}`);
const byService = (alerts: AlertView[], service: string): AlertView | undefined => alerts.find((alert) => alert.labels.service === service);

const DOWN: Spec = { status: 'critical', cause: 'HTTP 503' };
const healthy = { web: { dependsOn: ['orders'] }, orders: { dependsOn: ['payments'] }, payments: {} } satisfies Record<string, Spec>;
const paymentsDown = { web: { ...DOWN, dependsOn: ['orders'] }, orders: { ...DOWN, dependsOn: ['payments'] }, payments: DOWN } satisfies Record<string, Spec>;

describe('service critical for N seconds', () => {
  it('stays pending until the rule’s duration, then fires once with its labels and console path', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ payments: { ...DOWN, zone: 'eu-1' } });
    expect(engine.evaluate(down, T0)).toEqual([]);
    expect(engine.alerts().map((alert) => alert.state)).toEqual(['pending']);
    expect(engine.evaluate(down, T0 + 29_000)).toEqual([]);
    const fired = engine.evaluate(down, T0 + 30_000);
    expect(summary(fired)).toEqual(['fired ServiceCritical payments']);
    expect(fired[0]?.alert).toMatchObject({
      labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', cause: 'probe', zone: 'eu-1', instance: 'payments-1' },
      description: 'its only instance failing — payments-1: HTTP 503',
      path: '/services/payments',
      activeSince: new Date(T0).toISOString(),
      firedAt: new Date(T0 + 30_000).toISOString(),
    });
    expect(engine.evaluate(down, T0 + 60_000)).toEqual([]);
  });

  it('links any service name, hostile ones included (a lone surrogate, `..`)', () => {
    const engine = createAlertEngine({ rules: FAST });
    const hostile = fleet({ 'bad\uD800name': DOWN, '..': DOWN });
    engine.evaluate(hostile, T0);
    const fired = engine.evaluate(hostile, T0 + 30_000);
    expect(fired.map((t) => t.alert.path).sort()).toEqual(['/services/%252E%252E', '/services/bad%EF%BF%BDname']);
  });

  it('forgets a condition that clears before its duration without a word', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: DOWN }), T0);
    expect(engine.evaluate(fleet({ payments: {} }), T0 + 10_000)).toEqual([]);
    expect(engine.evaluate(fleet({ payments: DOWN }), T0 + 35_000)).toEqual([]);
    expect(summary(engine.evaluate(fleet({ payments: DOWN }), T0 + 65_000))).toEqual(['fired ServiceCritical payments']);
  });

  it('leaves a condition that cleared before its duration out of the recently resolved: it never fired, so nothing resolved', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: DOWN }), T0);
    engine.evaluate(fleet({ payments: {} }), T0 + 10_000);
    expect(engine.alerts()).toEqual([]);
    expect(engine.recentlyResolved()).toEqual([]);
  });

  it('resolves with the time it ended and keeps it among the recently resolved', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: DOWN }), T0);
    engine.evaluate(fleet({ payments: DOWN }), T0 + 30_000);
    const resolved = engine.evaluate(fleet({ payments: {} }), T0 + 45_000);
    expect(summary(resolved)).toEqual(['resolved ServiceCritical payments']);
    expect(resolved[0]?.alert).toMatchObject({ resolvedAt: new Date(T0 + 45_000).toISOString(), resolvedOn: 'evaluation' });
    expect(engine.alerts()).toEqual([]);
    expect(engine.recentlyResolved().map((alert) => alert.labels.service)).toEqual(['payments']);
    engine.evaluate(fleet({ payments: {} }), T0 + 45_000 + 3_600_001);
    expect(engine.recentlyResolved()).toEqual([]);
  });

  it('takes per-service durations and disabled alerts from the rules', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { criticalForSeconds: 30 }, services: { batch: { criticalForSeconds: 600 }, noisy: { disabled: ['ServiceCritical'] } } }) });
    const down = fleet({ payments: DOWN, batch: DOWN, noisy: DOWN });
    engine.evaluate(down, T0);
    expect(summary(engine.evaluate(down, T0 + 30_000))).toEqual(['fired ServiceCritical payments']);
    expect(summary(engine.evaluate(down, T0 + 600_000))).toEqual(['fired ServiceCritical batch']);
    expect(engine.alerts().map((alert) => alert.labels.service).sort()).toEqual(['batch', 'payments']);
  });
});

describe('error rate and p95 causes', () => {
  it('raises ServiceErrorRate and ServiceLatency from the health model’s causes after the warning duration', () => {
    const engine = createAlertEngine({ rules: FAST });
    const state = fleet({
      orders: { status: 'warning', cause: 'error rate 6 % over 30 s (threshold 5 %)', causeKind: 'error_rate' },
      search: { status: 'warning', cause: 'p95 180 ms, 9× its usual 20 ms', causeKind: 'latency' },
      // Warning for its membership only: no alert.
      cart: { status: 'warning', cause: '1 of 3 instances registered, 3 within the last hour', causeKind: 'membership' },
    });
    engine.evaluate(state, T0);
    const fired = engine.evaluate(state, T0 + 60_000);
    expect(summary(fired).sort()).toEqual(['fired ServiceErrorRate orders', 'fired ServiceLatency search']);
    expect(fired.find((t) => t.alert.labels.service === 'orders')?.alert.labels).toMatchObject({ severity: 'warning', cause: 'error_rate' });
    expect(fired.find((t) => t.alert.labels.service === 'search')?.alert.labels).toMatchObject({ severity: 'warning', cause: 'latency' });
  });

  it('keeps ServiceErrorRate pending, then fires it, while one instance’s error rate worsens from warning to critical beside a passing sibling', () => {
    // The demo's error-burst: one of two instances answers 60 % with 503; its service stays warning
    // (1 of 2 failing). Its pending alert vanished once the instance crossed the critical threshold.
    const ordersWith = (failing: Spec) => {
      const instances = new Map<string, Instance>();
      for (const value of [instance('orders', 1, {}), instance('orders', 2, failing)]) instances.set(value.key, value);
      const services = [toService('orders', instances)];
      const topology = deriveTopology(services);
      return { services, topology, origins: probableOrigins(topology, { now: 0 }), registry: SYNCED };
    };
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(ordersWith({ status: 'warning', cause: 'error rate 22 % over 30 s (threshold 5.0 %)', causeKind: 'error_rate' }), T0);
    const worse = ordersWith({ status: 'critical', cause: 'error rate 63 % over 30 s (threshold 25 %)', causeKind: 'error_rate' });
    expect(worse.services[0]?.status).toBe('warning');
    expect(engine.evaluate(worse, T0 + 5_000)).toEqual([]);
    expect(engine.alerts().map((alert) => [alert.labels.alertname, alert.state])).toEqual([['ServiceErrorRate', 'pending']]);
    const fired = engine.evaluate(worse, T0 + 60_000);
    expect(summary(fired)).toEqual(['fired ServiceErrorRate orders']);
    expect(fired[0]?.alert.labels).toMatchObject({ severity: 'warning', cause: 'error_rate', instance: 'orders-2' });
    expect(fired[0]?.alert.description).toBe('1 of 2 instances failing — orders-2: error rate 63 % over 30 s (threshold 25 %)');
  });

  it('keeps one traffic alert pending to its duration while an instance’s error rate swings between warning and critical beside a slow sibling', () => {
    // orders-2 slow throughout, orders-3's error rate about the critical threshold: which of them
    // comes first must not follow orders-3's status, or the alert turns from ServiceLatency to
    // ServiceErrorRate and back at each swing, each restarting its duration, and never fires.
    const ordersWith = (errorRate: Spec) => {
      const instances = new Map<string, Instance>();
      const slow: Spec = { status: 'warning', cause: 'p95 900 ms over 30 s (3× its usual 300 ms)', causeKind: 'latency' };
      for (const value of [instance('orders', 1, {}), instance('orders', 2, slow), instance('orders', 3, errorRate)]) instances.set(value.key, value);
      const services = [toService('orders', instances)];
      const topology = deriveTopology(services);
      return { services, topology, origins: probableOrigins(topology, { now: 0 }), registry: SYNCED };
    };
    const degraded = ordersWith({ status: 'warning', cause: 'error rate 22 % over 30 s (threshold 5.0 %)', causeKind: 'error_rate' });
    const failing = ordersWith({ status: 'critical', cause: 'error rate 28 % over 30 s (threshold 25 %)', causeKind: 'error_rate' });
    expect(failing.services[0]?.status).toBe('warning');
    const engine = createAlertEngine({ rules: FAST });
    const transitions = [0, 15_000, 30_000, 45_000, 60_000].flatMap((at, index) => engine.evaluate(index % 2 === 0 ? degraded : failing, T0 + at));
    expect(summary(transitions)).toEqual(['fired ServiceLatency orders']);
    expect(transitions[0]?.alert.activeSince).toBe(new Date(T0).toISOString());
  });

  it('raises nothing for one instance failing its probes beside a passing sibling: the service answers, and ServiceCritical waits for it to fail', () => {
    const instances = new Map<string, Instance>();
    for (const value of [instance('orders', 1, {}), instance('orders', 2, { status: 'critical', cause: 'timeout after 2 s', causeKind: 'probe' })]) instances.set(value.key, value);
    const services = [toService('orders', instances)];
    const topology = deriveTopology(services);
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate({ services, topology, origins: [], registry: SYNCED }, T0);
    expect(engine.alerts()).toEqual([]);
  });

  it('goes by the kind of cause the status model gives, never by the sentence’s wording', () => {
    const engine = createAlertEngine({ rules: FAST });
    const state = fleet({
      orders: { status: 'warning', cause: '6 % of calls failing', causeKind: 'error_rate' },
      cart: { status: 'warning', cause: 'p95 180 ms, yet membership decided', causeKind: 'membership' },
    });
    engine.evaluate(state, T0);
    expect(summary(engine.evaluate(state, T0 + 60_000))).toEqual(['fired ServiceErrorRate orders']);
  });
});

describe('a failing dependency', () => {
  it('says the share of calls failing that the map’s chip on it says: the last 30 s when worse than the minute', () => {
    // Early in an outage the minute still holds the calls answered before it: 11 % over the minute,
    // 57 of 90 failed over the last 30 s, and the map's chip on mysql reads "63% errors".
    const services = fleet({ orders: { ...DOWN, cause: 'HTTP 500', dependsOn: ['mysql'] } }).services;
    const edge = { from: 'orders', to: 'mysql', rps: 3, errorRate: 0.11, p50Ms: 2, p95Ms: 4, p99Ms: 8, toKind: 'database' as const, recentCalls: 90, recentErrors: 57 };
    const topology = deriveTopology(services, [edge]);
    const origins = probableOrigins(topology, { now: 0 });
    expect(origins.map((origin) => origin.id)).toEqual(['mysql']);
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate({ services, topology, origins, registry: SYNCED }, T0);
    expect(byService(engine.alerts(), 'mysql')?.description).toBe('63 % of calls to it failing over the last 30 s; probable origin of orders');
    const settled = deriveTopology(services, [{ ...edge, errorRate: 0.63, recentErrors: 50 }]);
    engine.evaluate({ services, topology: settled, origins: probableOrigins(settled, { now: 0 }), registry: SYNCED }, T0 + 5_000);
    expect(byService(engine.alerts(), 'mysql')?.description).toBe('63 % of calls to it failing over the last minute; probable origin of orders');
  });
});

describe('lost instances', () => {
  it('raises one InstancesLost per service however many instances went, listing some of them', () => {
    const engine = createAlertEngine({ rules: FAST });
    const state = fleet({ api: { instances: 500, lost: 500 }, cache: { instances: 4, lost: 1 } });
    const fired = engine.evaluate(state, T0);
    const lost = fired.filter((t) => t.alert.labels.alertname === 'InstancesLost');
    expect(summary(lost).sort()).toEqual(['fired InstancesLost api', 'fired InstancesLost cache']);
    const api = lost.find((t) => t.alert.labels.service === 'api')?.alert;
    expect(api?.labels).toMatchObject({ severity: 'critical', cause: 'lost' });
    expect(api?.labels.instance).toBeUndefined();
    expect(api?.summary).toBe('api: 500 of 500 instances lost');
    expect(api?.description).toMatch(/^api-1, api-2, .* api-10 and 490 more: lease expired$/);
    expect(lost.find((t) => t.alert.labels.service === 'cache')?.alert.labels).toMatchObject({ severity: 'warning', instance: 'cache-1' });
  });

  it('dates InstancesLost from the loss that raised it, not an older stand-in kept for its retention from an alert that ended', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { lostForSeconds: 300 } }) });
    const state = fleet({ web: { instances: 4 } });
    const web = state.services[0];
    if (!web) throw new Error('no web');
    const lostAt = (agoMs: number) => ({ at: new Date(T0 - agoMs).toISOString(), cause: 'lease expired', passingBefore: 4 });
    // web-1 lost 12 min ago and replaced (its stand-in kept), web-2 lost 5 s ago.
    const instances = new Map(web.instances.map((instance) => [instance.key, instance]));
    for (const [id, agoMs] of [['web-1', 720_000], ['web-2', 5_000]] as const) {
      const key = `/services/web/${id}`;
      const instance = instances.get(key);
      if (instance) instances.set(`/switchyard/lost${key}`, { ...instance, key: `/switchyard/lost${key}`, status: 'critical', lost: lostAt(agoMs) });
      instances.delete(key);
    }
    instances.set('/services/web/web-5', { ...web.instances[0], id: 'web-5', key: '/services/web/web-5' } as Instance);
    engine.evaluate({ ...state, services: [toService('web', instances)] }, T0);
    expect(engine.alerts().find((alert) => alert.labels.alertname === 'InstancesLost')?.activeSince).toBe(new Date(T0 - 5_000).toISOString());
  });

  it('dates InstancesLost from its loss, as its incident, and counts lostForSeconds from it: an instance out of discovery is ruled so ~20 s after it left', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { lostForSeconds: 30 } }) });
    // fleet() loses instances at T0.
    expect(summary(engine.evaluate(fleet({ api: { instances: 2, lost: 1 } }), T0 + 20_000))).toEqual([]);
    expect(engine.alerts().find((alert) => alert.labels.alertname === 'InstancesLost')?.activeSince).toBe(new Date(T0).toISOString());
    expect(summary(engine.evaluate(fleet({ api: { instances: 2, lost: 1 } }), T0 + 30_000))).toEqual(['fired InstancesLost api']);
  });

  it('says instances still serving out of discovery are out of discovery, not lost, as their service does: "lost" sends the engineer to restart a process that runs', () => {
    const engine = createAlertEngine({ rules: FAST });
    const state = fleet({ api: { instances: 3, lost: 3, serving: 3 }, cache: { instances: 3, lost: 3, serving: 1 }, db: { instances: 2, lost: 1 } });
    const lost = engine.evaluate(state, T0).filter((t) => t.alert.labels.alertname === 'InstancesLost');
    expect(lost.map((t) => t.alert.summary).sort()).toEqual(['api: 3 of 3 instances out of discovery', 'cache: 3 of 3 instances missing, 2 lost and 1 out of discovery', 'db: 1 of 2 instances lost']);
    expect(state.services.find((service) => service.name === 'api')?.cause).toMatch(/^all 3 instances out of discovery since/);
  });
});

describe('resolved at the recovery', () => {
  const recovered = (at: number) => ({ ...fleet({ payments: {} }), recoveredAt: new Map([['payments', new Date(at).toISOString()]]) });

  it('ends a service\u2019s health alert at its recoveredAt, the moment its incident ends, not at the evaluation that saw it', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: DOWN }), T0);
    engine.evaluate(fleet({ payments: DOWN }), T0 + 30_000);
    const [resolved] = engine.evaluate(recovered(T0 + 33_200), T0 + 35_000);
    expect(resolved?.alert).toMatchObject({ resolvedAt: new Date(T0 + 33_200).toISOString(), resolvedOn: 'recovery' });
  });

  it('takes no recovery from before the condition last held (an earlier one): the evaluation then', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: DOWN }), T0);
    engine.evaluate(fleet({ payments: DOWN }), T0 + 30_000);
    const [resolved] = engine.evaluate(recovered(T0 + 29_000), T0 + 35_000);
    expect(resolved?.alert).toMatchObject({ resolvedAt: new Date(T0 + 35_000).toISOString(), resolvedOn: 'evaluation' });
  });

  it.each([
    ['ServiceLatency', { status: 'warning', cause: 'p95 180 ms, 9× its usual 20 ms', causeKind: 'latency' }],
    ['ServiceErrorRate', { status: 'warning', cause: 'error rate 12 % over the last 30 s', causeKind: 'error_rate' }],
  ] as const)('resolves %s at the evaluation, not at a recovery between two evaluations: its own signal ended on another clock', (alertname, spec) => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: { ...spec, instances: 2 } }), T0);
    expect(engine.evaluate(fleet({ payments: { ...spec, instances: 2 } }), T0 + 60_000).map((t) => [t.kind, t.alert.labels.alertname])).toEqual([['fired', alertname]]);
    // Another instance flapped back to passing at +62.5 s (the service's latest recoveredAt); the latency or error rate ended when it did.
    const [resolved] = engine.evaluate(recovered(T0 + 62_500), T0 + 65_000);
    expect(resolved?.alert).toMatchObject({ labels: { alertname }, resolvedAt: new Date(T0 + 65_000).toISOString(), resolvedOn: 'evaluation' });
  });

  it('still dates ServiceCritical at the recovery in the same evaluations', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: { ...DOWN, instances: 2 } }), T0);
    engine.evaluate(fleet({ payments: { ...DOWN, instances: 2 } }), T0 + 60_000);
    const [resolved] = engine.evaluate(recovered(T0 + 62_500), T0 + 65_000);
    expect(resolved?.alert).toMatchObject({ labels: { alertname: 'ServiceCritical' }, resolvedAt: new Date(T0 + 62_500).toISOString(), resolvedOn: 'recovery' });
  });

  it('keeps InstancesLost while instances back in etcd have no probe verdict yet (held critical, kind lost), in the words the service says it in, unnested', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet({ payments: { instances: 2, lost: 2 } }), T0);
    const back = fleet({ payments: { instances: 2, status: 'critical', causeKind: 'lost', cause: 'registered again with no probe verdict yet — lost: lease expired' } });
    expect(engine.evaluate(back, T0 + 5_000)).toEqual([]);
    expect(engine.alerts().map((alert) => [alert.labels.alertname, alert.summary, alert.description])).toEqual(
      expect.arrayContaining([
        ['InstancesLost', 'payments: 2 of 2 instances registered again with no probe verdict yet', 'payments-1, payments-2: registered again with no probe verdict yet — lost: lease expired'],
        ['ServiceCritical', 'payments is critical', 'all 2 instances registered again with no probe verdict yet — payments-1 lost: lease expired'],
      ]),
    );
    const [resolved] = engine.evaluate({ ...fleet({ payments: { instances: 2 } }), recoveredAt: new Map([['payments', new Date(T0 + 7_000).toISOString()]]) }, T0 + 10_000);
    expect(resolved?.alert).toMatchObject({ labels: { alertname: 'InstancesLost' }, resolvedAt: new Date(T0 + 7_000).toISOString(), resolvedOn: 'recovery' });
  });

  it('resolves with the words it fired with, not the last ones before it ended ("registered again…" said nothing of why it fired)', () => {
    const engine = createAlertEngine({ rules: FAST });
    const [fired] = engine.evaluate(fleet({ payments: { instances: 2, lost: 1 } }), T0);
    expect(fired?.alert).toMatchObject({ labels: { alertname: 'InstancesLost' }, state: 'firing', description: 'payments-1: lease expired' });
    const back = fleet({ payments: { instances: 2, status: 'critical', causeKind: 'lost', cause: 'registered again with no probe verdict yet — lost: lease expired' } });
    engine.evaluate(back, T0 + 5_000);
    // Active, it says what holds it now.
    expect(engine.alerts().find((alert) => alert.labels.alertname === 'InstancesLost')?.summary).toBe('payments: 2 of 2 instances registered again with no probe verdict yet');
    const resolved = engine.evaluate({ ...fleet({ payments: { instances: 2 } }), recoveredAt: new Map([['payments', new Date(T0 + 7_000).toISOString()]]) }, T0 + 10_000);
    const lost = resolved.find((transition) => transition.alert.labels.alertname === 'InstancesLost')?.alert;
    expect(lost).toMatchObject({ summary: fired?.alert.summary, description: 'payments-1: lease expired', resolvedOn: 'recovery' });
    expect(engine.recentlyResolved().find((alert) => alert.labels.alertname === 'InstancesLost')).toMatchObject({ summary: fired?.alert.summary, description: 'payments-1: lease expired' });
  });
});

describe('registry unreachable and stuck drains', () => {
  it('fires RegistryUnreachable once etcd has been unreachable for the rule’s duration, counted from when it was lost', () => {
    const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
    const lostAt = { state: 'unreachable', since: new Date(T0).toISOString(), message: 'etcd unreachable: connect ECONNREFUSED' } as const;
    expect(engine.evaluate(fleet({}, lostAt), T0 + 10_000)).toEqual([]);
    const fired = engine.evaluate(fleet({}, lostAt), T0 + 30_000);
    expect(fired[0]?.alert).toMatchObject({ labels: { alertname: 'RegistryUnreachable', service: 'etcd', severity: 'critical' }, path: '/diagnostics' });
    expect(summary(engine.evaluate(fleet({}), T0 + 40_000))).toEqual(['resolved RegistryUnreachable etcd']);
  });

  it('fires DrainStuck when an instance still gets calls long after its drain began', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 600 } }) });
    const state = fleet({ orders: { instances: 2 } });
    const drained = (at: number) => {
      const service = state.services[0];
      if (!service) throw new Error('no service');
      const [first, second] = service.instances;
      if (!first || !second) throw new Error('no instances');
      const drainedFirst: Instance = { ...first, drain: { by: 'ops', reason: 'deploy', at: new Date(at).toISOString() }, drainState: 'draining' };
      return { ...state, services: [{ ...service, instances: [drainedFirst, second] }] };
    };
    expect(engine.evaluate(drained(T0), T0 + 599_000)).toEqual([]);
    const fired = engine.evaluate(drained(T0), T0 + 600_000);
    expect(fired[0]?.alert).toMatchObject({ labels: { alertname: 'DrainStuck', service: 'orders', instance: 'orders-1', severity: 'warning' } });
  });

  describe('DrainStuck words', () => {
    const drainingAt = (instance: Instance, at: number): Instance => ({ ...instance, drain: { by: 'ops', reason: 'deploy', at: new Date(at).toISOString() }, drainState: 'draining' });
    const drainedAt = (instance: Instance, at: number): Instance => ({ ...instance, drain: { by: 'ops', reason: 'deploy', at: new Date(at).toISOString() }, drainState: 'drained' });
    /** orders with `count` instances, each as `as` makes it (the original when it returns undefined). */
    const orders = (count: number, as: (instance: Instance, index: number) => Instance | undefined) => {
      const state = fleet({ orders: { instances: count } });
      const service = state.services[0];
      if (!service) throw new Error('no service');
      return { ...state, services: [{ ...service, instances: service.instances.map((instance, index) => as(instance, index) ?? instance) }] };
    };
    const drainStuck = (alerts: readonly AlertView[]) => alerts.find((alert) => alert.labels.alertname === 'DrainStuck');

    it('says how long the drain has lasted and when it alerts while pending, and how long once firing', () => {
      const engine = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 900 } }) });
      const one = orders(2, (instance, index) => (index === 0 ? drainingAt(instance, T0) : undefined));
      engine.evaluate(one, T0 + 2 * 60_000 + 20_000);
      expect(drainStuck(engine.alerts())).toMatchObject({ state: 'pending', description: 'orders-1 draining for 2 min, still receiving calls; alerts after 15 min with drains stuck' });
      const fired = engine.evaluate(one, T0 + 17 * 60_000 + 5_000);
      expect(fired[0]?.alert).toMatchObject({ state: 'firing', description: 'orders-1 still receiving calls, draining for 17 min' });
      const both = orders(2, (instance, index) => drainingAt(instance, T0 + index * 60_000));
      const fresh = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 900 } }) });
      fresh.evaluate(both, T0 + 40_000);
      expect(drainStuck(fresh.alerts())?.description).toBe('orders-1, orders-2 draining (the longest for under a minute), still receiving calls; alerts after 15 min with drains stuck');
    });

    it('fires with firing words, kept once resolved, when the drain that began it ended and later ones are younger than the rule', () => {
      const engine = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 900 } }) });
      const minute = 60_000;
      engine.evaluate(orders(3, (instance, index) => (index === 0 ? drainingAt(instance, T0) : undefined)), T0 + 5 * minute);
      engine.evaluate(orders(3, (instance) => drainingAt(instance, instance.id === 'orders-1' ? T0 : T0 + 10 * minute)), T0 + 11 * minute);
      // orders-1 done draining at T0 + 12 min; orders-2 and orders-3 still called: the service's drains stuck since T0.
      const later = orders(3, (instance) => (instance.id === 'orders-1' ? drainedAt(instance, T0) : drainingAt(instance, T0 + 10 * minute)));
      engine.evaluate(later, T0 + 12 * minute);
      expect(drainStuck(engine.alerts())).toMatchObject({ state: 'pending', description: 'orders-2, orders-3 draining (the longest for 2 min), still receiving calls; alerts after 15 min with drains stuck' });
      const fired = engine.evaluate(later, T0 + 15 * minute);
      expect(fired.map((transition) => [transition.kind, transition.alert.state, transition.alert.description])).toEqual([
        ['fired', 'firing', 'orders-2, orders-3 still receiving calls, draining (the longest for 5 min)'],
      ]);
      const resolved = engine.evaluate(orders(3, (instance) => drainedAt(instance, T0)), T0 + 16 * minute);
      expect(resolved[0]?.alert).toMatchObject({ state: 'resolved', description: 'orders-2, orders-3 still receiving calls, draining (the longest for 5 min)' });
    });

    it('says "under a minute" on its first check and for a drain dated ahead of this clock, and fires with firing words', () => {
      const engine = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 900 } }) });
      // Another machine's clock, 2 min ahead of this one.
      const ahead = orders(2, (instance, index) => (index === 0 ? drainingAt(instance, T0 + 2 * 60_000) : undefined));
      engine.evaluate(ahead, T0);
      expect(drainStuck(engine.alerts())?.description).toBe('orders-1 draining for under a minute, still receiving calls; alerts after 15 min with drains stuck');
      const fired = engine.evaluate(ahead, T0 + 15 * 60_000);
      expect(fired[0]?.alert).toMatchObject({ state: 'firing', description: 'orders-1 still receiving calls, draining for 13 min' });
      const justNow = createAlertEngine({ rules: rules({ defaults: { drainStuckSeconds: 900 } }) });
      justNow.evaluate(orders(2, (instance, index) => (index === 0 ? drainingAt(instance, T0) : undefined)), T0 + 250);
      expect(drainStuck(justNow.alerts())?.description).toBe('orders-1 draining for under a minute, still receiving calls; alerts after 15 min with drains stuck');
    });
  });
});

describe('dependency-aware suppression', () => {
  it('holds the callers of a failing dependency, attached to its alert, and sends exactly the origin', () => {
    const engine = createAlertEngine({ rules: FAST });
    engine.evaluate(fleet(healthy), T0);
    const down = fleet(paymentsDown);
    expect(down.origins.map((origin) => origin.id)).toEqual(['payments']);
    engine.evaluate(down, T0 + 1_000);
    const transitions = engine.evaluate(down, T0 + 31_000);
    expect(summary(transitions).sort()).toEqual(['fired ServiceCritical payments', 'suppressed ServiceCritical orders', 'suppressed ServiceCritical web']);
    const alerts = engine.alerts();
    expect(byService(alerts, 'orders')).toMatchObject({ state: 'suppressed', suppressedBy: 'payments', notified: false });
    expect(byService(alerts, 'web')).toMatchObject({ state: 'suppressed', suppressedBy: 'payments' });
    expect(byService(alerts, 'payments')).toMatchObject({ state: 'firing', holds: ['orders', 'web'] });
    // Held, not re-announced: nothing new while it lasts.
    expect(engine.evaluate(down, T0 + 90_000)).toEqual([]);
  });

  it('resolves only what was notified when everything recovers', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet(paymentsDown);
    engine.evaluate(down, T0);
    engine.evaluate(down, T0 + 30_000);
    expect(summary(engine.evaluate(fleet(healthy), T0 + 60_000))).toEqual(['resolved ServiceCritical payments']);
    expect(engine.recentlyResolved().map((alert) => `${alert.labels.service} ${alert.notified}`).sort()).toEqual(['orders false', 'payments true', 'web false']);
    // Each says how it ended: sent, or held by its origin's alert (and whose).
    expect(byService(engine.recentlyResolved(), 'payments')).toMatchObject({ state: 'resolved', endedAs: 'firing' });
    expect(byService(engine.recentlyResolved(), 'orders')).toMatchObject({ state: 'resolved', endedAs: 'suppressed', suppressedBy: 'payments' });
  });

  it('always sends the resolve of a caller notified before its dependency was found to be the origin', () => {
    const engine = createAlertEngine({ rules: FAST });
    // orders fails first, on its own: its alert is sent.
    engine.evaluate(fleet({ ...healthy, orders: { ...DOWN, dependsOn: ['payments'] } }), T0);
    expect(summary(engine.evaluate(fleet({ ...healthy, orders: { ...DOWN, dependsOn: ['payments'] } }), T0 + 30_000))).toEqual(['fired ServiceCritical orders']);
    // Then payments goes down too and is the probable origin: orders is explained, but stays notified.
    const down = fleet({ ...healthy, orders: { ...DOWN, dependsOn: ['payments'] }, payments: DOWN });
    engine.evaluate(down, T0 + 40_000);
    expect(summary(engine.evaluate(down, T0 + 70_000))).toEqual(['fired ServiceCritical payments']);
    expect(byService(engine.alerts(), 'orders')).toMatchObject({ state: 'firing', explainedBy: 'payments', notified: true });
    expect(summary(engine.evaluate(fleet(healthy), T0 + 80_000)).sort()).toEqual(['resolved ServiceCritical orders', 'resolved ServiceCritical payments']);
  });

  it('sends a held caller whose origin recovers while it still fails, and passes the hold down the chain', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet(paymentsDown);
    engine.evaluate(down, T0);
    engine.evaluate(down, T0 + 30_000);
    // payments recovers; orders and web still fail: orders is now the origin of web's failure.
    const ordersStill = fleet({ ...paymentsDown, payments: {} });
    expect(ordersStill.origins.map((origin) => origin.id)).toEqual(['orders']);
    expect(summary(engine.evaluate(ordersStill, T0 + 40_000))).toEqual(['resolved ServiceCritical payments']);
    expect(byService(engine.alerts(), 'web')).toMatchObject({ state: 'suppressed', suppressedBy: 'orders' });
    // orders has failed on its own for its rule's 30 s: sent.
    expect(engine.evaluate(ordersStill, T0 + 69_000)).toEqual([]);
    expect(summary(engine.evaluate(ordersStill, T0 + 70_000))).toEqual(['fired ServiceCritical orders']);
    expect(byService(engine.alerts(), 'web')).toMatchObject({ state: 'suppressed', suppressedBy: 'orders' });
    // orders recovers too, web still fails on its own for 30 s: web is sent.
    const webAlone = fleet({ ...healthy, web: { ...DOWN, dependsOn: ['orders'] } });
    expect(summary(engine.evaluate(webAlone, T0 + 80_000))).toEqual(['resolved ServiceCritical orders']);
    expect(summary(engine.evaluate(webAlone, T0 + 110_000))).toEqual(['fired ServiceCritical web']);
  });

  it('sends nothing for callers that recover a little after their origin', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet(paymentsDown);
    engine.evaluate(down, T0);
    engine.evaluate(down, T0 + 30_000);
    // payments passes again; its callers' probes and traffic windows take a few seconds longer.
    expect(summary(engine.evaluate(fleet({ ...paymentsDown, payments: {} }), T0 + 60_000))).toEqual(['resolved ServiceCritical payments']);
    expect(engine.evaluate(fleet({ ...paymentsDown, payments: {} }), T0 + 75_000)).toEqual([]);
    expect(engine.evaluate(fleet(healthy), T0 + 80_000)).toEqual([]);
  });

  it('gives a caller failing on its own, while its dependency is healthy, its own alert', () => {
    const engine = createAlertEngine({ rules: FAST });
    const state = fleet({ ...healthy, web: { ...DOWN, dependsOn: ['orders'] } });
    expect(state.origins).toEqual([]);
    engine.evaluate(state, T0);
    expect(summary(engine.evaluate(state, T0 + 30_000))).toEqual(['fired ServiceCritical web']);
  });

  it('holds callers while the origin’s own alert is still pending, so they never page before it', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { criticalForSeconds: 30 }, services: { payments: { criticalForSeconds: 120 } } }) });
    const down = fleet(paymentsDown);
    engine.evaluate(down, T0);
    expect(summary(engine.evaluate(down, T0 + 30_000)).sort()).toEqual(['suppressed ServiceCritical orders', 'suppressed ServiceCritical web']);
    expect(summary(engine.evaluate(down, T0 + 120_000))).toEqual(['fired ServiceCritical payments']);
  });

  it('does not hold a caller when its origin raises no alert at all (it is disabled there): someone is paged', () => {
    const engine = createAlertEngine({ rules: rules({ defaults: { criticalForSeconds: 30 }, services: { payments: { disabled: ['ServiceCritical'] } } }) });
    const down = fleet(paymentsDown);
    engine.evaluate(down, T0);
    expect(summary(engine.evaluate(down, T0 + 30_000)).sort()).toEqual(['fired ServiceCritical orders', 'fired ServiceCritical web']);
  });
});

describe('silences', () => {
  const silence = (service: string, untilMs: number, alertname?: 'ServiceCritical' | 'InstancesLost') => ({
    id: `s-${service}`,
    service,
    ...(alertname ? { alertname } : {}),
    reason: 'maintenance',
    by: 'ops',
    createdAt: new Date(T0).toISOString(),
    until: new Date(untilMs).toISOString(),
  });

  it('holds a silenced alert without sending it, and sends it once the silence ends while it still fails', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ payments: DOWN, orders: DOWN });
    const silences = [silence('payments', T0 + 120_000)];
    engine.evaluate(down, T0, silences);
    expect(summary(engine.evaluate(down, T0 + 30_000, silences))).toEqual(['fired ServiceCritical orders']);
    expect(byService(engine.alerts(), 'payments')).toMatchObject({ state: 'silenced', silencedBy: 's-payments', notified: false });
    expect(engine.evaluate(down, T0 + 119_000, silences)).toEqual([]);
    expect(summary(engine.evaluate(down, T0 + 120_000, silences))).toEqual(['fired ServiceCritical payments']);
  });

  it('silences only the named alert of a service when one is named, and never holds a resolve', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ api: { instances: 2, lost: 2 } });
    engine.evaluate(down, T0, []);
    const silences = [silence('api', T0 + 600_000, 'InstancesLost')];
    expect(summary(engine.evaluate(down, T0 + 30_000, silences))).toEqual(['fired ServiceCritical api']);
    // InstancesLost fired before the silence (its duration is 0): its resolve still goes.
    expect(summary(engine.evaluate(fleet({ api: { instances: 2 } }), T0 + 40_000, silences)).sort()).toEqual(['resolved InstancesLost api', 'resolved ServiceCritical api']);
  });
});

describe('acknowledgements', () => {
  const ack = (service: string, id = `a-${service}`) => ({ id, alertname: 'ServiceCritical' as const, service, reason: 'on it', by: 'ops', at: new Date(T0 + 40_000).toISOString() });

  it('marks a firing alert acknowledged without sending anything, keeps it firing, and still sends its resolve', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ payments: DOWN });
    engine.evaluate(down, T0);
    expect(summary(engine.evaluate(down, T0 + 30_000))).toEqual(['fired ServiceCritical payments']);
    const acks = [ack('payments')];
    expect(engine.evaluate(down, T0 + 40_000, [], acks)).toEqual([]);
    expect(byService(engine.alerts(), 'payments')).toMatchObject({ state: 'firing', notified: true, acknowledged: { id: 'a-payments', by: 'ops', reason: 'on it' } });
    const resolved = engine.evaluate(fleet({ payments: {} }), T0 + 50_000, [], acks);
    expect(summary(resolved)).toEqual(['resolved ServiceCritical payments']);
    expect(resolved[0]?.alert.acknowledged?.id).toBe('a-payments');
  });

  it('covers only the firing it was made for: the next firing notifies again, even while the store still lists it', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ payments: DOWN });
    const acks = [ack('payments')];
    engine.evaluate(down, T0);
    engine.evaluate(down, T0 + 30_000);
    engine.evaluate(down, T0 + 40_000, [], acks);
    engine.evaluate(fleet({ payments: {} }), T0 + 50_000, [], acks);
    engine.evaluate(down, T0 + 60_000, [], acks);
    expect(summary(engine.evaluate(down, T0 + 90_000, [], acks))).toEqual(['fired ServiceCritical payments']);
    engine.evaluate(down, T0 + 91_000, [], acks);
    expect(byService(engine.alerts(), 'payments')).toMatchObject({ state: 'firing', notified: true });
    expect(byService(engine.alerts(), 'payments')?.acknowledged).toBeUndefined();
  });

  it('applies to firing alerts only, of the named service and alert, and lifts when withdrawn', () => {
    const engine = createAlertEngine({ rules: FAST });
    const down = fleet({ payments: DOWN, orders: DOWN });
    const acks = [ack('payments'), { ...ack('orders'), alertname: 'InstancesLost' as const }];
    engine.evaluate(down, T0, [], acks);
    expect(engine.alerts().map((alert) => alert.acknowledged)).toEqual([undefined, undefined]);
    engine.evaluate(down, T0 + 30_000, [], acks);
    engine.evaluate(down, T0 + 31_000, [], acks);
    expect(byService(engine.alerts(), 'payments')?.acknowledged?.id).toBe('a-payments');
    expect(byService(engine.alerts(), 'orders')?.acknowledged).toBeUndefined();
    expect(engine.evaluate(down, T0 + 32_000, [], [])).toEqual([]);
    expect(byService(engine.alerts(), 'payments')).toMatchObject({ state: 'firing' });
    expect(byService(engine.alerts(), 'payments')?.acknowledged).toBeUndefined();
  });
});
