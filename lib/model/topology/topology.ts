import type { CauseKind, Format, Service, Status } from '../instance';
import { mostCommon } from '../declared';
import type { EdgeStats } from '../latency';
import { primaryZoneOf, summaryOfService, type ServiceSummary } from '../service-summary';
import { DEFAULT_TRAFFIC_THRESHOLDS, slowCause, TRAFFIC_WINDOW_SECONDS } from '../status/combine';

export { declaredTargets, mostCommon, primaryZone } from '../declared';

/**
 * The fleet as a graph (DESIGN §4 `GET /api/v1/topology`): one node per registered service, one per
 * dependency outside the registry (database, cache, queue, or a name nobody registered), and one
 * edge per caller → callee pair that is declared (`dependsOn`, `external.<name>` metadata) or was
 * observed (call statistics over the last minute), or both.
 */

export const NODE_KINDS = ['service', 'database', 'cache', 'queue', 'unknown'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export type ExternalKind = Exclude<NodeKind, 'service'>;
export type EdgeSource = 'declared' | 'observed';

export interface TopologyNode {
  /** The service name as registered, or the dependency's name. */
  id: string;
  kind: NodeKind;
  /**
   * Services: the roll-up of their instances. Externals have no probes: their status comes from
   * the calls made to them (see `statusFromCalls`), `unknown` without traffic.
   */
  status: Status;
  instances: number;
  drained: number;
  /** Lost instances (DESIGN §6): their leases expired after their probes failed. Absent when none. */
  lost?: number;
  /** Of those, the ones still serving though out of discovery (`lost.stillServing`). Absent when none. */
  lostServing?: number;
  /** Departures still checked for serving on (`ServiceSummary.checking`): listed, not lost. Absent when none. */
  checking?: number;
  /** When the service left etcd while serving (`ServiceSummary.leftEtcdAt`). Absent otherwise. */
  leftEtcdAt?: string;
  /** When its first instance left, with `leftEtcdAt` (`ServiceSummary.firstLeftEtcdAt`). */
  firstLeftEtcdAt?: string;
  /** Services failing only through lost instances (`ServiceSummary.failingOnlyLost`): no dependency explains that. */
  failingOnlyLost?: true;
  /** Why the service has its status (services only; absent while every instance passes). */
  cause?: string;
  /** Which signal decided it (`ServiceSummary.causeKind`): a service slow only by `latency` may be slow on its calls. */
  causeKind?: CauseKind;
  /**
   * A service none of whose instances has passed since Switchyard started: its status comes from
   * registrations left by an earlier run, not from a fault now, so it is no probable origin.
   */
  neverPassed?: true;
  /** Services while warning or critical: when the first of their failing instances began failing (ISO). */
  failingSince?: string;
  /** Services while passing: their last recovery (ISO; `ServiceSummary.recoveredAt`). */
  recoveredAt?: string;
  /** Services: until when an instance of it flaps (ISO, exclusive; `ServiceSummary.flappingUntil`), however its status reads. */
  flappingUntil?: string;
  /** The zone most instances run in (what grouping by zone uses); absent for externals and zoneless services. */
  zone?: string;
  /** Distinct zones / formats of the instances (empty for externals). */
  zones: string[];
  formats: Format[];
  /** Calls per second into this node over the last minute, summed over observed edges (absent: none observed). */
  inboundRps?: number;
  /** Failed share of those calls now: a recovered edge's calls count clean, a quiet one's not at all (absent when none are left). */
  inboundErrorRate?: number;
  /**
   * Calls into it and the failed ones over the last 30 s (the window an instance's status weighs),
   * when an edge into it carried them (its minute had errors); other edges count their minute's
   * calls as clean, and so does a recovered one. See `inboundErrors`.
   */
  recentInboundCalls?: number;
  recentInboundErrors?: number;
}

export interface TopologyEdge {
  from: string;
  to: string;
  /**
   * The contract's single provenance: `declared` when the caller declares the dependency (whether
   * or not calls were also seen), `observed` when only calls were seen. `sources` lists both when
   * both are true; the call statistics are present whenever calls were observed.
   */
  source: EdgeSource;
  sources: EdgeSource[];
  rps?: number;
  errorRate?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** The edge's usual p95 (median of its per-minute p95 over the last hour), once known. */
  baselineP95Ms?: number;
  /** What an end outside the registry is, when the calls said it (OTLP messaging and database spans). */
  fromKind?: ExternalKind;
  toKind?: ExternalKind;
  /** Its errors are over: the last 10 s of its calls were clean, or it had none for 30 s (`EdgeStats.recovered`). */
  recovered?: true;
  /** Recovered because its calls stopped: none for 30 s (`EdgeStats.quiet`). */
  quiet?: true;
  /** Its calls and failed calls over the last 30 s, when the minute had errors (`EdgeStats.recentCalls`). */
  recentCalls?: number;
  recentErrors?: number;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}


/** Inbound calls below this rate are too few for their error rate to mean anything (6 calls a minute). */
export const MIN_RPS_FOR_ERRORS = 0.1;
/** An inbound error rate from here on makes a node failing (and an external `warning`). */
export const FAILING_ERROR_RATE = 0.05;
/** An external answering at least this share of calls with errors is `critical`. */
export const CRITICAL_ERROR_RATE = 0.5;

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function externalKindOf(value: string): ExternalKind {
  return value === 'database' || value === 'cache' || value === 'queue' ? value : 'unknown';
}

/** Why an edge is slow: its p95 over its own usual p95 by the services' default latency rule (3× and 50 ms more); null when it is not. */
export function edgeSlowCause(edge: Pick<TopologyEdge, 'p95Ms' | 'baselineP95Ms'>): string | null {
  if (edge.p95Ms === undefined || edge.baselineP95Ms === undefined) return null;
  return slowCause(edge.p95Ms, edge.baselineP95Ms, DEFAULT_TRAFFIC_THRESHOLDS);
}

/** A status for something without probes, from the calls made to it. */
export function statusFromCalls(rps: number | undefined, errorRate: number | undefined): Status {
  if (rps === undefined || errorRate === undefined || rps < MIN_RPS_FOR_ERRORS) return 'unknown';
  if (errorRate >= CRITICAL_ERROR_RATE) return 'critical';
  if (errorRate >= FAILING_ERROR_RATE) return 'warning';
  return 'passing';
}

/** Failed calls a 30 s window needs before its rate means anything (one stray failure among six calls is 17 %). */
export const MIN_FAILED_CALLS_30S = 3;

/**
 * The errors a node is labelled with, and their window, by the rule its edges' labels follow: the
 * last 30 s when worse than the minute, else the minute. Early in an outage the minute still holds
 * the calls answered before it: the error-burst's inventory read "11% errors" while the edge into it
 * said 18 % over 30 s and its instance 63 %.
 */
export function inboundErrors(node: Pick<TopologyNode, 'inboundErrorRate' | 'recentInboundCalls' | 'recentInboundErrors'>): { rate: number; window: '30s' | '1m' } | null {
  const minute = node.inboundErrorRate ?? 0;
  const calls = node.recentInboundCalls ?? 0;
  const failed = node.recentInboundErrors ?? 0;
  const recent = calls > 0 && failed >= MIN_FAILED_CALLS_30S ? failed / calls : 0;
  if (recent > minute) return { rate: recent, window: '30s' };
  return minute > 0 ? { rate: minute, window: '1m' } : null;
}

/** At least FAILING_ERROR_RATE of a meaningful number of the calls it answered (the last minute) failed. */
export const answersWithErrors = (node: Pick<TopologyNode, 'inboundRps' | 'inboundErrorRate'>): boolean =>
  (node.inboundRps ?? 0) >= MIN_RPS_FOR_ERRORS && (node.inboundErrorRate ?? 0) >= FAILING_ERROR_RATE;

/**
 * Failing now, for the probable-origin analysis. A service by its status, which already weighs the
 * calls reported to its instances over the last 30 s and clears within seconds of recovery (a
 * trailing minute of edge errors kept recovered services failing, and blamed them for new faults).
 * Something without probes (a database, a queue), or a service whose probes have not spoken yet, by
 * the calls made to it: at least FAILING_ERROR_RATE of a meaningful number of calls failing.
 */
export function isFailing(node: Pick<TopologyNode, 'status' | 'inboundRps' | 'inboundErrorRate'> & Partial<Pick<TopologyNode, 'kind' | 'instances' | 'checking'>>): boolean {
  if (node.status === 'critical' || node.status === 'warning') return true;
  const callsFail = answersWithErrors(node);
  // A service not probed yet (just back after an outage) whose callers' calls still fail is still
  // the fault as far as anyone can tell: treated as passing, it left its callers blamed as origins.
  // One whose every instance left discovery and is being checked is not: nothing registered speaks for it.
  if (node.kind === 'service') return node.status === 'unknown' && callsFail && (node.checking ?? 0) < (node.instances ?? 1);
  return callsFail;
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const edgeKey = (from: string, to: string): string => `${from}\u0000${to}`;

/**
 * Derives the graph from the registry (`services`, with rolled-up statuses) and the observed
 * edges of the last minute. Deterministic: nodes and edges come out in name order.
 */
export function deriveTopology(services: readonly Service[], observed: readonly EdgeStats[] = []): Topology {
  return deriveTopologyFromSummaries(services.map(summaryOfService), observed);
}

/** The same graph from services' summaries (what the browser holds: no instances). */
export function deriveTopologyFromSummaries(services: readonly ServiceSummary[], observed: readonly EdgeStats[] = []): Topology {
  const registered = new Map(services.map((service) => [service.name, service]));
  const edges = new Map<string, TopologyEdge>();
  /** external name → declared kinds (one vote per declaring instance). */
  const kindVotes = new Map<string, string[]>();
  const externals = new Set<string>();
  /** external name → the kind observed calls said it is (a queue, a database); declared metadata wins. */
  const observedKinds = new Map<string, ExternalKind>();

  const noteExternal = (name: string): void => {
    if (!registered.has(name)) externals.add(name);
  };

  for (const service of services) {
    for (const target of service.dependsOn ?? []) {
      edges.set(edgeKey(service.name, target), { from: service.name, to: target, source: 'declared', sources: ['declared'] });
      noteExternal(target);
    }
    for (const { name, kind, votes } of service.externals ?? []) {
      const all = kindVotes.get(name) ?? [];
      for (let vote = 0; vote < votes; vote++) all.push(kind);
      kindVotes.set(name, all);
    }
  }

  for (const stats of observed) {
    if (stats.from === '' || stats.to === '') continue;
    const key = edgeKey(stats.from, stats.to);
    const declared = edges.get(key);
    const edge: TopologyEdge = {
      from: stats.from,
      to: stats.to,
      source: declared ? 'declared' : 'observed',
      sources: declared ? ['declared', 'observed'] : ['observed'],
      rps: stats.rps,
      ...(stats.errorRate !== null ? { errorRate: stats.errorRate } : {}),
      ...(stats.p50Ms !== null ? { p50Ms: stats.p50Ms } : {}),
      ...(stats.p95Ms !== null ? { p95Ms: stats.p95Ms } : {}),
      ...(stats.p99Ms !== null ? { p99Ms: stats.p99Ms } : {}),
      ...(stats.baselineP95Ms !== null && stats.baselineP95Ms !== undefined ? { baselineP95Ms: stats.baselineP95Ms } : {}),
      ...(stats.fromKind ? { fromKind: stats.fromKind } : {}),
      ...(stats.toKind ? { toKind: stats.toKind } : {}),
      ...(stats.recovered ? { recovered: true as const } : {}),
      ...(stats.recovered && stats.quiet ? { quiet: true as const } : {}),
      ...(stats.recentCalls !== undefined && stats.recentErrors !== undefined ? { recentCalls: stats.recentCalls, recentErrors: stats.recentErrors } : {}),
    };
    edges.set(key, edge);
    if (stats.fromKind) observedKinds.set(stats.from, stats.fromKind);
    if (stats.toKind) observedKinds.set(stats.to, stats.toKind);
    noteExternal(stats.from);
    noteExternal(stats.to);
  }

  // Inbound traffic per node: the weight for error rates. A node judged by the calls made to it is
  // failing now, not for the rest of the minute that still holds its errors: an edge over its errors
  // (`recovered`) adds its calls clean, and one whose calls stopped (`quiet`) adds no verdict at all —
  // a database its callers stopped calling after failures is unknown, neither failing nor passing.
  const inbound = new Map<string, { rps: number; errors: number; measured: number; recentCalls: number; recentErrors: number; hasRecent: boolean }>();
  for (const edge of edges.values()) {
    if (edge.rps === undefined) continue;
    const sum = inbound.get(edge.to) ?? { rps: 0, errors: 0, measured: 0, recentCalls: 0, recentErrors: 0, hasRecent: false };
    sum.rps += edge.rps;
    if (edge.errorRate !== undefined && !edge.quiet) {
      if (!edge.recovered) sum.errors += edge.errorRate * edge.rps;
      sum.measured += edge.rps;
    }
    if (edge.recentCalls !== undefined && !edge.quiet) {
      sum.hasRecent = true;
      sum.recentCalls += edge.recentCalls;
      if (!edge.recovered) sum.recentErrors += edge.recentErrors ?? 0;
    } else if (!edge.quiet) sum.recentCalls += Math.round(edge.rps * TRAFFIC_WINDOW_SECONDS);
    inbound.set(edge.to, sum);
  }
  const inboundOf = (id: string): Pick<TopologyNode, 'inboundRps' | 'inboundErrorRate' | 'recentInboundCalls' | 'recentInboundErrors'> => {
    const sum = inbound.get(id);
    if (!sum) return {};
    return {
      inboundRps: sum.rps,
      ...(sum.measured > 0 ? { inboundErrorRate: sum.errors / sum.measured } : {}),
      ...(sum.hasRecent ? { recentInboundCalls: sum.recentCalls, recentInboundErrors: sum.recentErrors } : {}),
    };
  };

  const nodes: TopologyNode[] = services.map((service) => ({
    id: service.name,
    kind: 'service',
    status: service.status,
    instances: service.instances,
    drained: service.drained ?? 0,
    ...optional('lost', service.lost),
    ...optional('lostServing', service.lostServing),
    ...optional('checking', service.checking),
    ...optional('leftEtcdAt', service.leftEtcdAt),
    ...optional('firstLeftEtcdAt', service.firstLeftEtcdAt),
    ...(service.failingOnlyLost ? { failingOnlyLost: true as const } : {}),
    ...optional('cause', service.cause),
    ...optional('causeKind', service.causeKind),
    ...(service.neverPassed ? { neverPassed: true as const } : {}),
    ...optional('failingSince', service.failingSince),
    ...optional('recoveredAt', service.recoveredAt),
    ...optional('flappingUntil', service.flappingUntil),
    ...optional('zone', primaryZoneOf(service)),
    zones: service.zones,
    formats: service.formats,
    ...inboundOf(service.name),
  }));
  for (const name of externals) {
    const traffic = inboundOf(name);
    nodes.push({
      id: name,
      kind: externalKindOf(mostCommon(kindVotes.get(name) ?? []) ?? observedKinds.get(name) ?? ''),
      status: statusFromCalls(traffic.inboundRps, traffic.inboundErrorRate),
      instances: 0,
      drained: 0,
      zones: [],
      formats: [],
      ...traffic,
    });
  }
  nodes.sort((a, b) => compareText(a.id, b.id));
  const edgeList = [...edges.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
  return { nodes, edges: edgeList };
}

/**
 * A service's namespace: its name up to the first `.` or `-` (`payments-api` → `payments`,
 * `user.rpc` → `user`); a name without either is its own namespace, so `orders` and
 * `orders-worker` group together. A leading separator is not a namespace (`-x` → `-x`).
 */
export function namespaceOf(name: string): string {
  const cut = name.search(/[.-]/);
  return cut > 0 ? name.slice(0, cut) : name;
}

