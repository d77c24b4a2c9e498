import { addDeclaredTargets, metadataDeclarations, mostCommonCounted } from './declared';
import { isFailingStatus, STATUSES, type CauseKind, type Format, type Instance, type Service, type Status } from './instance';
import { flappingUntilMs } from './status/flapping';
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
  /** Lost instances (DESIGN §6), ruled on; absent when none. */
  lost?: number;
  /** Of those, the ones still serving though out of discovery (`lost.stillServing`); absent when none. */
  lostServing?: number;
  /** Departures still checked for serving on (`lost.checking`): listed, but neither lost nor failing; absent when none. */
  checking?: number;
  /** Instances back in etcd after their loss, held critical until their probes rule (lost/tracker.ts); absent when none. */
  heldBack?: number;
  /**
   * When it left etcd while serving: every instance it lists left discovery while its probes passed
   * (`lost.checking` or `lost.stillServing`), and this is when the last one went (ISO). Absent
   * otherwise. Many services at once point at etcd, not at them (topology/shared-departure.ts).
   */
  leftEtcdAt?: string;
  /** With `leftEtcdAt`: when the first of its instances went (ISO), where a fleet's leaving began. */
  firstLeftEtcdAt?: string;
  /**
   * Failing, and every failing instance is lost (or back in etcd after its loss, no probe verdict
   * yet): the service fails by being out of discovery (crashed, or cut off from etcd while serving),
   * which no dependency of its causes (`probableOrigins`).
   */
  failingOnlyLost?: true;
  /** None of its instances has passed since Switchyard started (no probable origin). */
  neverPassed?: true;
  /** While warning or critical: the earliest `failingSince` of its failing instances in rotation (ISO). */
  failingSince?: string;
  /** While passing: the latest `recoveredAt` of its instances, its last recovery (ISO); absent when it never recovered in this run. */
  recoveredAt?: string;
  /**
   * Until when an instance of it flaps (ISO, exclusive; status/flapping.ts `flappingUntilMs`), however
   * its status reads now: the alerts look for flapping only in services where this is still ahead.
   * Absent when no instance has flapped lately.
   */
  flappingUntil?: string;
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

const severity: Record<Status, number> = { passing: 0, unknown: 1, warning: 2, critical: 3 };

/** ISO times compare as text. */
const earlier = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined || (b !== undefined && b < a) ? b : a);
/** The later of two ISO times, either possibly absent. */
export const laterIso = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined || (b !== undefined && b > a) ? b : a);

/** The latest `recoveredAt` of the instances: their service's last recovery (ISO), if any in this run. */
export function latestRecovery(instances: readonly Pick<Instance, 'recoveredAt'>[]): string | undefined {
  let latest: string | undefined;
  for (const { recoveredAt } of instances) latest = laterIso(latest, recoveredAt);
  return latest;
}

/** Zones counted (empty and absent ones left out). */
function countValue(counts: Map<string, number>, value: string | undefined): void {
  if (value !== undefined && value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
}

/**
 * A service's summary from its instances (any order); the same instances give an equal summary.
 * One pass and no array per instance: a service of thousands that changes with every put is
 * summarised again every SUMMARY_WINDOW_MS (lib/server/store/views.ts).
 */
export function summarizeInstances(name: string, instances: readonly Instance[], rolledUp = serviceStatus(instances)): ServiceSummary {
  const { status, cause } = rolledUp;
  const counts: Record<Status, number> = { passing: 0, warning: 0, critical: 0, unknown: 0 };
  let drained = 0;
  let draining = 0;
  let lost = 0;
  let lostServing = 0;
  let checking = 0;
  /** Whether every instance so far left discovery while passing, and when the first and the last of them went. */
  let allLeftWhilePassing = true;
  let firstLeftAt: string | undefined;
  let lastLeftAt: string | undefined;
  let failingNotLost = 0;
  let heldBack = 0;
  let passedAny = false;
  /** When its failing instances began failing: the first in rotation, and the first of all. */
  let failingInRotationSince: string | undefined;
  let anyFailingSince: string | undefined;
  let lastRecovery: string | undefined;
  let flappingUntil: number | undefined;
  /** The instance whose status decides the roll-up's cause kind: the worst in rotation, else the worst of all (the first of equals). */
  let worstInRotation: Instance | undefined;
  let worst: Instance | undefined;
  const formats = new Set<Format>();
  const versions = new Set<string>();
  const zones = new Map<string, number>();
  const targets = new Set<string>();
  /** Declared external name → kind → instances giving it that kind. */
  const externalVotes = new Map<string, Map<string, number>>();
  for (const instance of instances) {
    counts[instance.status] += 1;
    const inRotation = instance.drain === null && instance.lost === undefined;
    if (instance.drain !== null) drained += 1;
    if (instance.drainState === 'draining') draining += 1;
    if (instance.lost?.checking) checking += 1;
    else if (instance.lost !== undefined) lost += 1;
    if (instance.lost?.stillServing) lostServing += 1;
    if (instance.lost?.checking || instance.lost?.stillServing) {
      firstLeftAt = earlier(firstLeftAt, instance.lost.at);
      lastLeftAt = laterIso(lastLeftAt, instance.lost.at);
    } else allLeftWhilePassing = false;
    if (instance.passedAt !== undefined) passedAny = true;
    if (isFailingStatus(instance.status)) {
      // An instance back in etcd after its loss is held critical (kind 'lost') until its probes rule: still the loss.
      if (instance.lost === undefined && instance.statusCauseKind === 'lost') heldBack += 1;
      else if (instance.lost === undefined) failingNotLost += 1;
      const since = instance.failingSince ?? instance.statusSince;
      anyFailingSince = earlier(anyFailingSince, since);
      if (inRotation) failingInRotationSince = earlier(failingInRotationSince, since);
    }
    lastRecovery = laterIso(lastRecovery, instance.recoveredAt);
    const flapsUntil = flappingUntilMs(instance.criticalChangesMs);
    if (flapsUntil !== undefined && (flappingUntil === undefined || flapsUntil > flappingUntil)) flappingUntil = flapsUntil;
    if (!worst || severity[instance.status] > severity[worst.status]) worst = instance;
    if (inRotation && (!worstInRotation || severity[instance.status] > severity[worstInRotation.status])) worstInRotation = instance;
    formats.add(instance.format);
    if (instance.version) versions.add(instance.version);
    countValue(zones, instance.zone);
    addDeclaredTargets(instance, targets);
    for (const [external, kind] of metadataDeclarations(instance.metadata).externals) {
      const kinds = externalVotes.get(external) ?? new Map<string, number>();
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      externalVotes.set(external, kinds);
    }
  }
  targets.delete(name);
  const causeKind = status === 'passing' ? undefined : (worstInRotation ?? worst)?.statusCauseKind;
  const failingSince = isFailingStatus(status) ? (failingInRotationSince ?? anyFailingSince) : undefined;
  const recoveredAt = status === 'passing' ? lastRecovery : undefined;
  const zone = zones.size > 1 ? mostCommonCounted(zones) : undefined;
  const byStatus: Partial<Record<Status, number>> = {};
  for (const status of STATUSES) if (counts[status] > 0) byStatus[status] = counts[status];
  const dependsOn = [...targets].sort(compareText);
  const externals: DeclaredExternal[] = [];
  for (const [external, kinds] of externalVotes) for (const [kind, votes] of kinds) externals.push({ name: external, kind, votes });
  externals.sort((a, b) => compareText(a.name, b.name) || compareText(a.kind, b.kind));
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
    ...(lostServing > 0 ? { lostServing } : {}),
    ...(checking > 0 ? { checking } : {}),
    ...(heldBack > 0 ? { heldBack } : {}),
    ...(allLeftWhilePassing && lastLeftAt !== undefined ? { leftEtcdAt: lastLeftAt, ...(firstLeftAt !== undefined ? { firstLeftEtcdAt: firstLeftAt } : {}) } : {}),
    ...(isFailingStatus(status) && lost + heldBack > 0 && failingNotLost === 0 ? { failingOnlyLost: true as const } : {}),
    ...(instances.length > 0 && !passedAny ? { neverPassed: true as const } : {}),
    ...(failingSince !== undefined ? { failingSince } : {}),
    ...(recoveredAt !== undefined ? { recoveredAt } : {}),
    // A time past what a Date holds (a replica's row) would throw in toISOString.
    ...(flappingUntil !== undefined && Number.isFinite(new Date(flappingUntil).getTime()) ? { flappingUntil: new Date(flappingUntil).toISOString() } : {}),
    ...(zone !== undefined ? { zone } : {}),
    formats: [...formats].sort(compareText),
    versions: [...versions].sort(compareText),
    zones: [...zones.keys()].sort(compareText),
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    ...(externals.length > 0 ? { externals } : {}),
  };
}

/** A service as the API has it (its status already rolled up) summarised. */
export function summaryOfService(service: Service): ServiceSummary {
  return summarizeInstances(service.name, service.instances, { status: service.status, ...(service.cause !== undefined ? { cause: service.cause } : {}) });
}

type DeclaredExternal = NonNullable<ServiceSummary['externals']>[number];

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
  /** Services per rolled-up status, those counted in `outOfDiscovery` aside. */
  byStatus: Record<Status, number>;
  /**
   * Services failing only because instances of theirs serve on out of discovery (`servesOutOfDiscovery`):
   * callers cannot find those instances, yet nothing of theirs is down — what to fix is etcd, not them.
   */
  outOfDiscovery: number;
}

/**
 * Failing only by instances whose keys went while they serve on (every failing one lost, every lost one
 * still serving). One back in etcd after a loss and held critical until probed is no such instance: its
 * process may be the one that crashed, and whether it serves is not known yet.
 */
export function servesOutOfDiscovery(summary: Pick<ServiceSummary, 'failingOnlyLost' | 'lost' | 'lostServing' | 'heldBack'>): boolean {
  return summary.failingOnlyLost === true && summary.heldBack === undefined && summary.lostServing !== undefined && summary.lostServing === summary.lost;
}

/** The header's fleet counts from summaries. */
export function countSummaries(summaries: Iterable<ServiceSummary>): SummaryCounts {
  const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
  let services = 0;
  let instances = 0;
  let outOfDiscovery = 0;
  for (const summary of summaries) {
    services += 1;
    instances += summary.instances;
    if (servesOutOfDiscovery(summary)) outOfDiscovery += 1;
    else byStatus[summary.status] += 1;
  }
  return { services, instances, byStatus, outOfDiscovery };
}
