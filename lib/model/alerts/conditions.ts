import type { Instance, Service, Status } from '../instance';
import { pathSegment } from '../path-segment';
import type { RegistryStatus } from '../live';
import { primaryZone, type Topology } from '../topology';
import type { ProbableOrigin } from '../topology-graph';
import { ruleFor, type AlertName, type AlertRules } from './rules';

export type Severity = 'critical' | 'warning';

/** Why, in one word for routing (the `cause` label); the sentence is the description. */
export type CauseCategory = 'probe' | 'error_rate' | 'latency' | 'lost' | 'membership' | 'calls' | 'registry' | 'drain';

/** Alertmanager labels: the identity of an alert there, so fixed when the condition starts. */
export interface AlertLabels {
  alertname: AlertName;
  service: string;
  severity: Severity;
  cause: CauseCategory;
  instance?: string;
  zone?: string;
}

/** Something that holds now and may become an alert once it has held for `forMs`. */
export interface Condition {
  /** Stable identity across evaluations: alertname and service. */
  key: string;
  labels: AlertLabels;
  summary: string;
  /** The health model's own cause, as it stands now. */
  description: string;
  /** Console path (the server prefixes its public URL). */
  path: string;
  forMs: number;
  /** When it began (ms), where the model knows better than the first evaluation that sees it (a drain's start, etcd lost). */
  since?: number;
  /** The probable origin whose failure explains this one (a dependency of this service), when there is one. */
  explainedBy?: string;
}

export interface EvaluationInput {
  services: readonly Service[];
  topology: Topology;
  /** `probableOrigins(topology)`: the health model's verdict, reused as is. */
  origins: readonly ProbableOrigin[];
  registry: RegistryStatus;
}

/** Alerts that may be held while a dependency is the probable origin: the ones a caller's failure raises. */
export const SUPPRESSIBLE: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceCritical', 'ServiceErrorRate', 'ServiceLatency']);
/** Alerts that stand for a service's (or dependency's) own failure: what a held caller is attached to. */
export const ORIGIN_ALERTS: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceCritical', 'ServiceErrorRate', 'ServiceLatency', 'InstancesLost', 'DependencyFailing']);

export const alertKey = (alertname: AlertName, service: string): string => `${alertname}\u0000${service}`;

const servicePath = (service: string): string => `/services/${pathSegment(service)}`;

/** The category of what decided an instance's status, as the status model says it (lib/model/status/combine.ts). */
const causeCategory = (instance: Instance | undefined): CauseCategory => instance?.statusCauseKind ?? 'probe';

/** The instances that decide a service's status, as `serviceStatus` picks them: live, in rotation when any are. */
function deciding(service: Service, status: Status): Instance[] {
  const live = service.instances.filter((instance) => instance.lost === undefined);
  const inRotation = live.filter((instance) => instance.drain === null);
  return (inRotation.length > 0 ? inRotation : live).filter((instance) => instance.status === status);
}

const only = <T>(items: readonly T[]): T | undefined => (items.length === 1 ? items[0] : undefined);

function names(instances: readonly Instance[], limit = 10): string {
  const shown = instances.slice(0, limit).map((instance) => instance.id);
  return instances.length > limit ? `${shown.join(', ')} and ${instances.length - limit} more` : shown.join(', ');
}

/** What the service's state calls for now: at most one health alert, plus lost and stuck-drain alerts. */
function serviceConditions(service: Service, rules: AlertRules, explainedBy: string | undefined): Condition[] {
  const rule = ruleFor(rules, service.name);
  const zone = primaryZone(service);
  const base = { service: service.name, ...(zone !== undefined ? { zone } : {}) };
  const conditions: Condition[] = [];
  const add = (condition: Omit<Condition, 'key' | 'path'> & { path?: string }): void => {
    if (rule.disabled.includes(condition.labels.alertname)) return;
    conditions.push({ ...condition, key: alertKey(condition.labels.alertname, service.name), path: condition.path ?? servicePath(service.name) });
  };
  const lost = service.instances.filter((instance) => instance.lost !== undefined);
  const cause = service.cause ?? service.status;
  if (service.status === 'critical') {
    const failing = deciding(service, 'critical');
    const first = failing[0];
    const category: CauseCategory = failing.length === 0 && lost.length > 0 ? 'lost' : causeCategory(first);
    const instance = only(service.instances)?.id;
    add({
      labels: { alertname: 'ServiceCritical', severity: 'critical', cause: category, ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name} is critical`,
      description: cause,
      forMs: rule.criticalForSeconds * 1_000,
      ...(explainedBy !== undefined ? { explainedBy } : {}),
    });
  } else if (service.status === 'warning') {
    const slow = deciding(service, 'warning');
    const category = causeCategory(slow[0]);
    if (category === 'error_rate' || category === 'latency') {
      const instance = only(slow)?.id;
      add({
        labels: { alertname: category === 'error_rate' ? 'ServiceErrorRate' : 'ServiceLatency', severity: 'warning', cause: category, ...base, ...(instance !== undefined ? { instance } : {}) },
        summary: category === 'error_rate' ? `${service.name}: calls failing` : `${service.name}: calls slow`,
        description: cause,
        forMs: rule.warningForSeconds * 1_000,
        ...(explainedBy !== undefined ? { explainedBy } : {}),
      });
    }
  }
  // Lost instances count while the service has not got as many passing as before the loss (serviceStatus).
  if (lost.length > 0 && service.status !== 'passing') {
    const instance = only(lost)?.id;
    add({
      labels: { alertname: 'InstancesLost', severity: lost.length === service.instances.length ? 'critical' : 'warning', cause: 'lost', ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name}: ${lost.length} of ${service.instances.length} instances lost`,
      description: `${names(lost)}: ${lost[0]?.lost?.cause ?? 'lease expired'}`,
      forMs: rule.lostForSeconds * 1_000,
    });
  }
  const stuck = service.instances.filter((instance) => instance.drain !== null && instance.drainState === 'draining');
  if (stuck.length > 0) {
    // The drain's own start, not when we first saw it: a restart does not reset the clock.
    const since = Math.min(...stuck.map((instance) => Date.parse(instance.drain?.at ?? '')).filter(Number.isFinite));
    const instance = only(stuck)?.id;
    add({
      labels: { alertname: 'DrainStuck', severity: 'warning', cause: 'drain', ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name}: ${stuck.length} drained instance${stuck.length === 1 ? '' : 's'} still receiving calls`,
      description: `${names(stuck)} still receiving calls after ${Math.round(rule.drainStuckSeconds / 60)} min of draining`,
      forMs: rule.drainStuckSeconds * 1_000,
      ...(Number.isFinite(since) ? { since } : {}),
    });
  }
  return conditions;
}

/**
 * Everything that calls for an alert now, from the health model's own verdicts: service statuses
 * and causes, lost instances, drain states, the registry's reachability and the probable origins.
 * Nothing here judges health again; it only reads what the model decided.
 */
export function currentConditions(input: EvaluationInput, rules: AlertRules): Condition[] {
  // A failing caller is explained by the first (most-explaining) origin listing it.
  const explainedBy = new Map<string, string>();
  for (const origin of input.origins) for (const caller of origin.explains) if (!explainedBy.has(caller)) explainedBy.set(caller, origin.id);
  const conditions = input.services.flatMap((service) => serviceConditions(service, rules, explainedBy.get(service.name)));
  // A failing dependency nobody registered (a database, a queue) is an origin without probes: it gets the one alert.
  const registered = new Set(input.services.map((service) => service.name));
  for (const origin of input.origins) {
    if (registered.has(origin.id)) continue;
    const node = input.topology.nodes.find((candidate) => candidate.id === origin.id);
    if (!node) continue;
    const rule = ruleFor(rules, origin.id);
    if (rule.disabled.includes('DependencyFailing')) continue;
    const rate = node.inboundErrorRate !== undefined ? `${Math.round(node.inboundErrorRate * 100)} % of calls to it failing` : 'calls to it failing';
    conditions.push({
      key: alertKey('DependencyFailing', origin.id),
      labels: { alertname: 'DependencyFailing', service: origin.id, severity: 'critical', cause: 'calls' },
      summary: `${origin.id} (${node.kind}) is failing`,
      description: `${rate}; probable origin of ${origin.explains.join(', ')}`,
      path: '/',
      forMs: rule.criticalForSeconds * 1_000,
    });
  }
  if (input.registry.state === 'unreachable') {
    conditions.push({
      key: alertKey('RegistryUnreachable', ''),
      labels: { alertname: 'RegistryUnreachable', service: 'etcd', severity: 'critical', cause: 'registry' },
      summary: 'Switchyard cannot reach etcd: the fleet view is stale',
      description: input.registry.message ?? 'etcd unreachable',
      path: '/diagnostics',
      forMs: rules.registryUnreachableForSeconds * 1_000,
      ...(Number.isFinite(Date.parse(input.registry.since)) ? { since: Date.parse(input.registry.since) } : {}),
    });
  }
  return conditions;
}
