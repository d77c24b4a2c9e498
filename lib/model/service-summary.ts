import { declaredTargets, externalKindVotes, primaryZone } from './declared';
import { isFailingStatus, STATUSES, type CauseKind, type Format, type Instance, type Service, type Status } from './instance';
import { serviceStatus } from './status/service';

/**
 * What the services list, the header counts and the map nodes need of a service, without its
 * instances: the summary view's unit (docs/ARCHITECTURE "Live updates"). A service page subscribes
 * to the service itself for its instances.
 */
export interface ServiceSummary {
  name: string;
  /** The roll-up of its instances (`serviceStatus`, lost instances included). */
  status: Status;
  /** Why it has its status; absent while every instance in rotation passes. */
  cause?: string;
  /** The signal behind the worst instance in rotation (absent when passing or when none says). */
  causeKind?: CauseKind;
  /** Instances registered (lost ones included, as the service page lists them). */
  instances: number;
  /** Instances per status; a status no instance has is absent (the summary view is ~10,000 of these). */
  byStatus: Partial<Record<Status, number>>;
  /** Instances taken out of rotation (any drain); absent when none. */
  drained?: number;
  /** Drained instances that still get calls; absent when none. */
  draining?: number;
  /** Lost instances (DESIGN §6); absent when none. */
  lost?: number;
  /** None of its instances has passed since Switchyard started (no probable origin). */
  neverPassed?: true;
  /** While warning or critical: the earliest `failingSince` of its failing instances in rotation (ISO). */
  failingSince?: string;
  /** While passing: the latest `recoveredAt` of its instances, its last recovery (ISO); absent when it never recovered in this run. */
  recoveredAt?: string;
  /** The zone most instances run in, when they run in several (with one zone it is `zones[0]`: see primaryZoneOf). */
  zone?: string;
  formats: Format[];
  versions: string[];
  zones: string[];
  /** Declared dependencies of all its instances (dependsOn, `external.*` and `dependsOn` metadata), sorted; absent when none. */
  dependsOn?: string[];
  /** Declared externals (`external.<name>=<kind>` metadata): how many instances give each name each kind, sorted; absent when none. */
  externals?: { name: string; kind: string; votes: number }[];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function distinctSorted<T extends string>(values: Iterable<T | undefined>): T[] {
  const set = new Set<T>();
  for (const value of values) if (value !== undefined && value !== '') set.add(value);
  return [...set].sort(compareText);
}

const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/** The instance whose status decides the roll-up: the worst one in rotation (else the worst of all). */
function worstInRotation(instances: readonly Instance[]): Instance | undefined {
  const inRotation = instances.filter((instance) => instance.drain === null && instance.lost === undefined);
  let worst: Instance | undefined;
  for (const instance of inRotation.length > 0 ? inRotation : instances) {
    if (!worst || severity[instance.status] > severity[worst.status]) worst = instance;
  }
  return worst;
}

/** ISO times compare as text. */
const earlier = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined || (b !== undefined && b < a) ? b : a);
const later = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined || (b !== undefined && b > a) ? b : a);

/** The latest `recoveredAt` of the instances: their service's last recovery (ISO), if any in this run. */
export function latestRecovery(instances: readonly Pick<Instance, 'recoveredAt'>[]): string | undefined {
  let latest: string | undefined;
  for (const { recoveredAt } of instances) latest = later(latest, recoveredAt);
  return latest;
}

/** A service's summary from its instances (any order); the same instances give an equal summary. */
export function summarizeInstances(name: string, instances: readonly Instance[], rolledUp = serviceStatus(instances)): ServiceSummary {
  const { status, cause } = rolledUp;
  const counts: Record<Status, number> = { passing: 0, warning: 0, critical: 0, unknown: 0 };
  let drained = 0;
  let draining = 0;
  let lost = 0;
  let passedAny = false;
  /** When its failing instances began failing: the first in rotation, and the first of all. */
  let failingInRotationSince: string | undefined;
  let anyFailingSince: string | undefined;
  for (const instance of instances) {
    counts[instance.status] += 1;
    if (instance.drain !== null) drained += 1;
    if (instance.drainState === 'draining') draining += 1;
    if (instance.lost !== undefined) lost += 1;
    if (instance.passedAt !== undefined) passedAny = true;
    if (isFailingStatus(instance.status)) {
      const since = instance.failingSince ?? instance.statusSince;
      anyFailingSince = earlier(anyFailingSince, since);
      if (instance.drain === null && instance.lost === undefined) failingInRotationSince = earlier(failingInRotationSince, since);
    }
  }
  const causeKind = status === 'passing' ? undefined : worstInRotation(instances)?.statusCauseKind;
  const failingSince = isFailingStatus(status) ? (failingInRotationSince ?? anyFailingSince) : undefined;
  const recoveredAt = status === 'passing' ? latestRecovery(instances) : undefined;
  const zone = primaryZone({ instances });
  const service = { name, instances };
  const byStatus: Partial<Record<Status, number>> = {};
  for (const status of STATUSES) if (counts[status] > 0) byStatus[status] = counts[status];
  const dependsOn = declaredTargets(service).sort(compareText);
  const zones = distinctSorted(instances.map((instance) => instance.zone));
  const externals = externalsOf(service);
  // One literal in a fixed key order, so equal summaries serialise equally (see sameSummary).
  return {
    name,
    status,
    ...(cause !== undefined ? { cause } : {}),
    ...(causeKind !== undefined ? { causeKind } : {}),
    instances: instances.length,
    byStatus,
    ...(drained > 0 ? { drained } : {}),
    ...(draining > 0 ? { draining } : {}),
    ...(lost > 0 ? { lost } : {}),
    ...(instances.length > 0 && !passedAny ? { neverPassed: true as const } : {}),
    ...(failingSince !== undefined ? { failingSince } : {}),
    ...(recoveredAt !== undefined ? { recoveredAt } : {}),
    ...(zone !== undefined && zones.length > 1 ? { zone } : {}),
    formats: distinctSorted(instances.map((instance) => instance.format)),
    versions: distinctSorted(instances.map((instance) => instance.version)),
    zones,
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    ...(externals.length > 0 ? { externals } : {}),
  };
}

/** A service as the API has it (its status already rolled up) summarised. */
export function summaryOfService(service: Service): ServiceSummary {
  return summarizeInstances(service.name, service.instances, { status: service.status, ...(service.cause !== undefined ? { cause: service.cause } : {}) });
}

type DeclaredExternal = NonNullable<ServiceSummary['externals']>[number];

function externalsOf(service: { instances: readonly Instance[] }): DeclaredExternal[] {
  const externals: DeclaredExternal[] = [];
  for (const [name, kinds] of externalKindVotes(service)) {
    const votes = new Map<string, number>();
    for (const kind of kinds) votes.set(kind, (votes.get(kind) ?? 0) + 1);
    for (const [kind, count] of votes) externals.push({ name, kind, votes: count });
  }
  return externals.sort((a, b) => compareText(a.name, b.name) || compareText(a.kind, b.kind));
}

/** The zone most of the service's instances run in; undefined when none declares one. */
export function primaryZoneOf(summary: Pick<ServiceSummary, 'zone' | 'zones'>): string | undefined {
  return summary.zone ?? summary.zones[0];
}

/** Each summary's JSON, kept while the summary lives: compared when its service changes, sent in every snapshot after. */
const jsonOfSummary = new WeakMap<ServiceSummary, string>();

/** A summary's JSON, serialised once (summaries are never mutated). */
export function summaryJson(summary: ServiceSummary): string {
  let json = jsonOfSummary.get(summary);
  if (json === undefined) {
    json = JSON.stringify(summary);
    jsonOfSummary.set(summary, json);
  }
  return json;
}

/** Whether two summaries say the same (a service whose summary did not change sends no summary delta). */
export function sameSummary(a: ServiceSummary, b: ServiceSummary): boolean {
  return summaryJson(a) === summaryJson(b);
}

export interface SummaryCounts {
  services: number;
  instances: number;
  /** Services per rolled-up status. */
  byStatus: Record<Status, number>;
}

/** The header's fleet counts from summaries. */
export function countSummaries(summaries: Iterable<ServiceSummary>): SummaryCounts {
  const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
  let services = 0;
  let instances = 0;
  for (const summary of summaries) {
    services += 1;
    instances += summary.instances;
    byStatus[summary.status] += 1;
  }
  return { services, instances, byStatus };
}
