import type { Instance, Service, Status } from '../instance';
import { pathSegment } from '../path-segment';
import type { RegistryStatus } from '../live';
import type { ServiceSummary } from '../service-summary';
import { inboundErrors, primaryZone, type Topology } from '../topology/topology';
import type { ProbableOrigin } from '../topology/graph';
import { ruleFor, type AlertName, type AlertRules } from './rules';
import { isConfirmedLoss, lostDownSince, REGISTERED_AGAIN, STAND_IN_WORDS, standInKind } from '../status/lost';
import { lostState } from '../status/service';
import { flapClause, flappingOf, type Flapping } from '../status/flapping';
import { formatDuration } from '../duration';

export type Severity = 'critical' | 'warning';

/** Why, in one word for routing (the `cause` label); the sentence is the description. */
export type CauseCategory = 'probe' | 'error_rate' | 'latency' | 'lost' | 'membership' | 'calls' | 'registry' | 'drain' | 'flapping';

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
  /** The health model's own cause, as it stands now: what a firing (suppressed, silenced, resolved) alert says. */
  description: string;
  /** What it says while pending, where that differs (DrainStuck: when it alerts); the engine picks by the alert's state. */
  pendingDescription?: string;
  /** Console path (the server prefixes its public URL). */
  path: string;
  forMs: number;
  /** When it began (ms), where the model knows better than the first evaluation that sees it (a status verdict, a drain's start, etcd lost). */
  since?: number;
  /**
   * Its rule's duration counts from the first evaluation that sees it, not from `since`. ServiceCritical's
   * `since` dates the outage (the newest instance down), which may be long before the service turned
   * critical: an instance critical for minutes beside a sibling drained or restarting. Counted from it,
   * a 20 s rolling restart paged at once.
   */
  waitsFromFirstSeen?: true;
  /** The probable origin whose failure explains this one (a dependency of this service), when there is one. */
  explainedBy?: string;
  /**
   * A recovery under way (every missing instance back in etcd awaiting its verdict): an active
   * alert of the same name and service goes on standing for it whatever its severity (its key and
   * labels kept), rather than escalate at the very recovery. For ESCALATES_ONLY alerts.
   */
  keepsSeverity?: boolean;
}

export interface EvaluationInput {
  /**
   * Services with their instances, in name order: at least every one that `mayHaveConditions`
   * (the others have none, so an evaluation may leave them out).
   */
  services: readonly Service[];
  /** Of every registered service: its service nodes are what counts as registered. */
  topology: Topology;
  /** `probableOrigins(topology, { now })`: the health model's verdict, reused as is. */
  origins: readonly ProbableOrigin[];
  registry: RegistryStatus;
  /** Services passing again after a recovery: their `recoveredAt` (ServiceSummary), when their ServiceCritical or InstancesLost ends (engine.ts `RECOVERY_ENDS`). */
  recoveredAt?: ReadonlyMap<string, string>;
}

/** Alerts that may be held while a dependency is the probable origin: the ones a caller's failure raises. */
export const SUPPRESSIBLE: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceCritical', 'ServiceErrorRate', 'ServiceLatency']);
/** Alerts that stand for a service's (or dependency's) own failure: what a held caller is attached to. */
export const ORIGIN_ALERTS: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceCritical', 'ServiceErrorRate', 'ServiceLatency', 'InstancesLost', 'DependencyFailing']);

export const alertKey = (alertname: AlertName, service: string): string => `${alertname}\u0000${service}`;

/**
 * Alerts whose severity is part of their identity besides alertname and service (their key, the
 * history rows a leader taking over reads, an acknowledgement's Alertmanager silence): a
 * ServiceFlapping or InstancesLost warning gives way to a critical one. The others keep the
 * severity they began with.
 */
export const SEVERITY_IN_KEY: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceFlapping', 'InstancesLost']);

/**
 * Of those, the alerts whose severity only rises: once critical, the alert stands for its warning
 * condition too until it resolves. An InstancesLost critical (every instance missing) would else
 * step down and up again at each pass of a crash loop, and at each instance of a staggered
 * recovery, a page every time; a critical held until nothing is lost costs the on-call nothing.
 */
export const ESCALATES_ONLY: ReadonlySet<AlertName> = new Set<AlertName>(['InstancesLost']);

const servicePath = (service: string): string => `/services/${pathSegment(service)}`;

/** What the traffic alerts (ServiceErrorRate, ServiceLatency) stand for. */
const TRAFFIC_CATEGORIES: ReadonlySet<CauseCategory> = new Set<CauseCategory>(['error_rate', 'latency']);

/** The category of what decided an instance's status, as the status model says it (lib/model/status/combine.ts). */
const causeCategory = (instance: Instance | undefined): CauseCategory => instance?.statusCauseKind ?? 'probe';

/** The instances that decide a service's status, as `serviceStatus` picks them (live, in rotation when any are), in any of `statuses`, in the service's order. */
function deciding(service: Service, ...statuses: Status[]): Instance[] {
  const live = service.instances.filter((instance) => instance.lost === undefined);
  const inRotation = live.filter((instance) => instance.drain === null);
  return (inRotation.length > 0 ? inRotation : live).filter((instance) => statuses.includes(instance.status));
}

const only = <T>(items: readonly T[]): T | undefined => (items.length === 1 ? items[0] : undefined);

/** "payments-1: 5 changes into and out of critical in 4 min 10 s, critical now": the page's clause and what the instance is now. */
function flapWords({ instance, flapping }: { instance: Instance; flapping: Flapping }, nowMs: number): string {
  const state = instance.lost !== undefined ? STAND_IN_WORDS[standInKind(instance.lost)] : instance.status;
  return `${flapClause(instance.id, flapping, nowMs)}, ${state} now`;
}

/**
 * When the newest of these instances went down (ms): its status "since" (`lostDownSince`: a lost
 * one's is its verdict before its key went, else its loss; not `lost.at`, its first failed probe).
 * Read when the condition starts, so the loss that raised it — not the first: stand-ins are kept
 * for their retention, from losses whose alert may have ended long ago. A loop, not Math.max(...):
 * spread arguments overflow the stack from ~130,000 instances.
 */
function newestDown(instances: readonly Instance[]): number | undefined {
  let newest: number | undefined;
  for (const instance of instances) {
    const at = Date.parse(lostDownSince(instance) ?? '');
    if (Number.isFinite(at) && (newest === undefined || at > newest)) newest = at;
  }
  return newest;
}

/** Whole minutes, "under a minute" below one (and for a drain dated ahead of this clock): the description is rewritten at every evaluation, and seconds would tick in it. */
const drainedFor = (ms: number): string => (ms < 60_000 ? 'under a minute' : formatDuration(Math.floor(ms / 60_000) * 60_000));

/**
 * A stuck drain in words, how long the (longest) drain still called has lasted: one wording for the
 * alert pending, with when it alerts, one for it firing. The engine picks by the alert's own state,
 * not by this drain's age: the alert counts from the service's first stuck drain, which may have
 * ended since (a later one then fires at a few minutes old), or be dated ahead of this clock.
 */
function drainStuckWords(stuck: readonly Instance[], sinceMs: number, stuckMs: number, nowMs: number): { pending: string; firing: string } {
  if (!Number.isFinite(sinceMs)) {
    const words = `${names(stuck)} still receiving calls while draining`;
    return { pending: `${words}; alerts after ${formatDuration(stuckMs)} with drains stuck`, firing: words };
  }
  const elapsed = drainedFor(nowMs - sinceMs);
  const draining = stuck.length === 1 ? `draining for ${elapsed}` : `draining (the longest for ${elapsed})`;
  return {
    pending: `${names(stuck)} ${draining}, still receiving calls; alerts after ${formatDuration(stuckMs)} with drains stuck`,
    firing: `${names(stuck)} still receiving calls, ${draining}`,
  };
}

function names(instances: readonly Instance[], limit = 10): string {
  const shown = instances.slice(0, limit).map((instance) => instance.id);
  return instances.length > limit ? `${shown.join(', ')} and ${instances.length - limit} more` : shown.join(', ');
}

/**
 * Whether a service in this state can have a condition at `nowMs`, read off `serviceConditions`
 * below: a health alert needs it critical or warning; InstancesLost needs lost instances while it is
 * not passing; DrainStuck needs a drained instance still receiving calls, which `draining` counts;
 * ServiceFlapping an instance flapping, which `flappingUntil` bounds. A passing or unknown service
 * without any of those has none, so an evaluation of a large fleet builds only the others with
 * their instances. Change both together.
 */
export function mayHaveConditions(summary: Pick<ServiceSummary, 'status' | 'lost' | 'draining' | 'flappingUntil'>, nowMs: number): boolean {
  if (summary.status === 'critical' || summary.status === 'warning') return true;
  if (summary.status !== 'passing' && (summary.lost ?? 0) > 0) return true;
  if ((summary.draining ?? 0) > 0) return true;
  return summary.flappingUntil !== undefined && Date.parse(summary.flappingUntil) > nowMs;
}

/**
 * Whether a service as it is now (its live summary, what the header counts) still calls for the
 * alert named, by the status tests `serviceConditions` makes: ServiceCritical a critical service,
 * the traffic alerts a warning one, InstancesLost one not passing, DrainStuck a drained instance
 * still called. Alerts are what the last evaluation found (every SWITCHYARD_ALERT_EVALUATION_MS);
 * the header follows the fleet live, so in between the two disagree — false says the alert is
 * behind (the Alerts page says so), true only that its status does not contradict it. Undefined
 * for DependencyFailing (a dependency's calls; it may be no service at all), RegistryUnreachable
 * (etcd) and ServiceFlapping (a pattern of changes, which no status now contradicts).
 */
export function statusStillCallsFor(alertname: AlertName, summary: Pick<ServiceSummary, 'status' | 'draining'> | undefined): boolean | undefined {
  if (alertname === 'DependencyFailing' || alertname === 'RegistryUnreachable' || alertname === 'ServiceFlapping') return undefined;
  if (summary === undefined) return false;
  switch (alertname) {
    case 'ServiceCritical':
      return summary.status === 'critical';
    case 'ServiceErrorRate':
    case 'ServiceLatency':
      return summary.status === 'warning';
    case 'InstancesLost':
      return summary.status !== 'passing';
    case 'DrainStuck':
      return (summary.draining ?? 0) > 0;
  }
}

/** What the service's state calls for at `nowMs`: at most one health alert, plus flapping, lost and stuck-drain alerts. */
function serviceConditions(service: Service, rules: AlertRules, explainedBy: string | undefined, nowMs: number): Condition[] {
  const rule = ruleFor(rules, service.name);
  const zone = primaryZone(service);
  const base = { service: service.name, ...(zone !== undefined ? { zone } : {}) };
  const conditions: Condition[] = [];
  const add = (condition: Omit<Condition, 'key' | 'path'> & { path?: string }): void => {
    const { alertname, severity } = condition.labels;
    if (rule.disabled.includes(alertname)) return;
    const key = alertKey(alertname, service.name);
    conditions.push({ ...condition, key: SEVERITY_IN_KEY.has(alertname) ? `${key}\u0000${severity}` : key, path: condition.path ?? servicePath(service.name) });
  };
  // A departure still being checked is no loss: it alerts only once ruled out of discovery.
  const lost = service.instances.filter(isConfirmedLoss);
  const cause = service.cause ?? service.status;
  if (service.status === 'critical') {
    const failing = deciding(service, 'critical');
    const first = failing[0];
    const category: CauseCategory = failing.length === 0 && lost.length > 0 ? 'lost' : causeCategory(first);
    const instance = only(service.instances)?.id;
    // Dated from when the last of what makes it so went down, as InstancesLost: one outage, one start
    // (waited for from this evaluation: a rotation change can make it critical long after that).
    const since = newestDown([...failing, ...lost]);
    add({
      labels: { alertname: 'ServiceCritical', severity: 'critical', cause: category, ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name} is critical`,
      description: cause,
      forMs: rule.criticalForSeconds * 1_000,
      ...(since !== undefined ? { since } : {}),
      waitsFromFirstSeen: true,
      ...(explainedBy !== undefined ? { explainedBy } : {}),
    });
  } else if (service.status === 'warning') {
    // A warning service is one whose instances are degraded, or some of them failing beside others
    // that pass: an instance whose error rate crossed from the warning threshold to the critical one
    // still stands for a traffic alert (it dropped its pending ServiceErrorRate in the demo's error-burst).
    // Taken in the service's order whatever their status: failing ones first, an instance swinging
    // about the critical threshold beside a slow sibling turned ServiceLatency into ServiceErrorRate
    // and back, each swing restarting the duration, so neither ever fired.
    const byTraffic = deciding(service, 'critical', 'warning').filter((instance) => TRAFFIC_CATEGORIES.has(causeCategory(instance)));
    // None: 'probe' (causeCategory of nothing), no traffic alert.
    const category = causeCategory(byTraffic[0]);
    if (category === 'error_rate' || category === 'latency') {
      const instance = only(byTraffic)?.id;
      add({
        labels: { alertname: category === 'error_rate' ? 'ServiceErrorRate' : 'ServiceLatency', severity: 'warning', cause: category, ...base, ...(instance !== undefined ? { instance } : {}) },
        summary: category === 'error_rate' ? `${service.name}: calls failing` : `${service.name}: calls slow`,
        description: cause,
        forMs: rule.warningForSeconds * 1_000,
        ...(explainedBy !== undefined ? { explainedBy } : {}),
      });
    }
  }
  // Failing and recovering again and again: each failure may end before ServiceCritical's duration
  // (a crash loop restarting within a minute), which then never fires. Counted as the page counts
  // flapping, but more changes: by default three failures with recoveries between — two short
  // blips minutes apart page no one.
  const flapping = service.instances.flatMap((instance) => {
    const found = flappingOf(instance.criticalChangesMs, nowMs, rule.flappingChanges);
    return found ? [{ instance, flapping: found }] : [];
  });
  if (flapping.length > 0) {
    const shown = flapping.slice(0, 10).map((flap) => flapWords(flap, nowMs));
    // Every instance: the service itself goes down again and again. Severity is part of the alert's
    // identity (SEVERITY_IN_KEY; its labels are fixed for its life): a warning alert gives way to a
    // critical one as more instances flap, as two Prometheus rules of different severity would.
    const severity: Severity = flapping.length === service.instances.length ? 'critical' : 'warning';
    // Named only for a single-instance service: which instance crossed first is no identity.
    const instance = only(service.instances)?.id;
    add({
      labels: { alertname: 'ServiceFlapping', severity, cause: 'flapping', ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name}: ${flapping.length === 1 ? `${flapping[0]?.instance.id} is` : `${flapping.length} of ${service.instances.length} instances are`} flapping`,
      description: `${shown.join('; ')}${flapping.length > shown.length ? `; and ${flapping.length - shown.length} more` : ''}`,
      forMs: 0,
      // Said, never held: between flaps nothing fails for an origin to explain, so a hold would follow each flap.
      ...(explainedBy !== undefined ? { explainedBy } : {}),
    });
  }
  // Lost instances count while the service has not got as many passing as before the loss
  // (serviceStatus); so do those back in etcd with no probe verdict yet (kind `lost`, lost/tracker.ts):
  // the alert resolves when the service recovers, not when the instances register again.
  const back = service.instances.filter((instance) => instance.lost === undefined && instance.status === 'critical' && instance.statusCauseKind === 'lost');
  const missing = [...lost, ...back];
  if (missing.length > 0 && service.status !== 'passing') {
    const instance = only(missing)?.id;
    const of = `of ${service.instances.length} instances`;
    // The service cause's words for the same states (status/service.ts).
    const state =
      back.length === 0
        ? `${lost.length} ${of} ${lostState(lost)}`
        : lost.length === 0
          ? `${back.length} ${of} ${REGISTERED_AGAIN}`
          : `${lost.length} ${of} ${lostState(lost)}, ${back.length} ${REGISTERED_AGAIN}`;
    // Severity is part of its identity (SEVERITY_IN_KEY): a warning gives way to a critical alert
    // once every instance is missing; the critical one then stands until it resolves (ESCALATES_ONLY).
    // Not while every missing one is back in etcd awaiting its verdict: the service is recovering.
    add({
      labels: { alertname: 'InstancesLost', severity: missing.length === service.instances.length ? 'critical' : 'warning', cause: 'lost', ...base, ...(instance !== undefined ? { instance } : {}) },
      ...(lost.length === 0 ? { keepsSeverity: true } : {}),
      summary: `${service.name}: ${state}`,
      description: lost.length > 0 ? `${names(lost)}: ${lost[0]?.lost?.cause ?? 'lease expired'}` : `${names(back)}: ${back[0]?.statusCause ?? REGISTERED_AGAIN}`,
      forMs: rule.lostForSeconds * 1_000,
      // From the verdict before the loss (else the loss), as ServiceCritical: an instance out of discovery is ruled so ~20 s after it left.
      ...(newestDown(missing) !== undefined ? { since: newestDown(missing) } : {}),
    });
  }
  const stuck = service.instances.filter((instance) => instance.drain !== null && instance.drainState === 'draining');
  if (stuck.length > 0) {
    // The drain's own start, not when we first saw it: a restart does not reset the clock.
    const since = Math.min(...stuck.map((instance) => Date.parse(instance.drain?.at ?? '')).filter(Number.isFinite));
    const instance = only(stuck)?.id;
    const words = drainStuckWords(stuck, since, rule.drainStuckSeconds * 1_000, nowMs);
    add({
      labels: { alertname: 'DrainStuck', severity: 'warning', cause: 'drain', ...base, ...(instance !== undefined ? { instance } : {}) },
      summary: `${service.name}: ${stuck.length} drained instance${stuck.length === 1 ? '' : 's'} still receiving calls`,
      description: words.firing,
      pendingDescription: words.pending,
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
export function currentConditions(input: EvaluationInput, rules: AlertRules, nowMs: number): Condition[] {
  // A failing caller is explained by the first (most-explaining) origin listing it.
  const explainedBy = new Map<string, string>();
  for (const origin of input.origins) for (const caller of origin.explains) if (!explainedBy.has(caller)) explainedBy.set(caller, origin.id);
  const conditions = input.services.flatMap((service) => serviceConditions(service, rules, explainedBy.get(service.name), nowMs));
  // A failing dependency nobody registered (a database, a queue) is an origin without probes: it
  // gets the one alert. Registered means a service node: `services` may leave passing ones out.
  const nodes = new Map(input.topology.nodes.map((node) => [node.id, node]));
  for (const origin of input.origins) {
    const node = nodes.get(origin.id);
    if (!node || node.kind === 'service') continue;
    const rule = ruleFor(rules, origin.id);
    if (rule.disabled.includes('DependencyFailing')) continue;
    // The share the map's chip on it says (`inboundErrors`): early in an outage the minute still holds
    // the calls answered before it, and the alert said 11 % under a chip at 63 %.
    const errors = inboundErrors(node);
    const rate = errors !== null ? `${Math.round(errors.rate * 100)} % of calls to it failing over the last ${errors.window === '30s' ? '30 s' : 'minute'}` : 'calls to it failing';
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
