import type { ServiceSummary } from '../service-summary';
import { utcClock } from '../status/clock';
import { isFailingStatus, type Status } from '../instance';
import { edgeSlowCause, FAILING_ERROR_RATE, isFailing, MIN_RPS_FOR_ERRORS, type Topology, type TopologyEdge, type TopologyNode } from './topology';

/** Who calls whom, both ways. Self-calls are left out: they say nothing about other nodes. */
export interface Adjacency {
  /** node → what it depends on (calls). */
  down: ReadonlyMap<string, readonly string[]>;
  /** node → who depends on it (its callers). */
  up: ReadonlyMap<string, readonly string[]>;
}

export function adjacency(edges: readonly { from: string; to: string }[]): Adjacency {
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, value: string): void => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const { from, to } of edges) {
    if (from === to) continue;
    push(down, from, to);
    push(up, to, from);
  }
  return { down, up };
}

/**
 * Who calls whom without the map's figures: the services' declared dependencies and the observed
 * caller → callee pairs (`MetricsStore.edgePairs`), the edges `deriveTopologyFromSummaries` draws.
 */
export function dependencyAdjacency(services: readonly Pick<ServiceSummary, 'name' | 'dependsOn'>[], observed: readonly { from: string; to: string }[]): Adjacency {
  const declared = services.flatMap((service) => (service.dependsOn ?? []).map((to) => ({ from: service.name, to })));
  return adjacency([...declared, ...observed.filter((pair) => pair.from !== '' && pair.to !== '')]);
}

export type Direction = 'center' | 'up' | 'down';

export interface Reached {
  direction: Direction;
  hops: number;
}

function walk(start: string, next: ReadonlyMap<string, readonly string[]>, hops: number, direction: Direction, into: Map<string, Reached>): void {
  let frontier = [start];
  const seen = new Set([start]);
  for (let hop = 1; hop <= hops && frontier.length > 0; hop += 1) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const neighbour of next.get(id) ?? []) {
        if (seen.has(neighbour)) continue;
        seen.add(neighbour);
        following.push(neighbour);
        const known = into.get(neighbour);
        if (!known || known.hops > hop) into.set(neighbour, { direction, hops: hop });
      }
    }
    frontier = following;
  }
}

/**
 * Focus mode: the node, what it depends on up to `hops` calls down, and who depends on it up to
 * `hops` calls up. The two directions are never mixed (a caller's other dependencies are not
 * "near" the node). A node reached both ways keeps the shorter distance.
 */
export function neighbourhood(graph: Adjacency, center: string, hops: number): Map<string, Reached> {
  const reached = new Map<string, Reached>([[center, { direction: 'center', hops: 0 }]]);
  walk(center, graph.down, hops, 'down', reached);
  walk(center, graph.up, hops, 'up', reached);
  reached.set(center, { direction: 'center', hops: 0 });
  return reached;
}

/** Strongly connected components (iterative Tarjan: fleets are too big for recursion). */
export function stronglyConnected(ids: readonly string[], next: (id: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; edge: number }[] = [{ id: root, edge: 0 }];
    index.set(root, counter);
    low.set(root, counter);
    counter += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const targets = next(frame.id);
      if (frame.edge < targets.length) {
        const target = targets[frame.edge] ?? '';
        frame.edge += 1;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter);
          counter += 1;
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component.sort());
      }
    }
  }
  return components;
}

export interface ProbableOrigin {
  id: string;
  /** Other failing nodes that depend on it, directly or through failing nodes, in name order. */
  explains: string[];
  /** Failing nodes it is in a dependency cycle with (they fail together); usually empty. */
  peers: string[];
  /** How many dependencies it has (all healthy, or it would not be an origin). */
  dependencies: number;
  /**
   * Failing only by being slow to its callers (`slowDependencies`): a database, cache or queue,
   * which has no status of its own, or a service whose own status passes that several callers see slow.
   */
  slow?: true;
  /**
   * It passes again since this time (ISO), but the failing nodes it explains began failing before
   * that and their calls to it failed within the last minute: they are clearing its errors.
   */
  recoveredAt?: string;
}

/**
 * Whether a service the origins name is a recovered origin, and since when, by its live status
 * (`status`, `recoveredAt`: its summary's) rather than the origins answer (`origin`), which a page
 * polls and may be seconds old: a passing service is no current origin (`isFailing`), its recovery
 * time its own, the latest; a failing one is a current origin whatever the answer said.
 */
export function originRecovery(status: Status, recoveredAt: string | undefined, origin: Pick<ProbableOrigin, 'recoveredAt'>): { recovered: boolean; at?: string } {
  if (status === 'passing') {
    const at = recoveredAt ?? origin.recoveredAt;
    return at !== undefined ? { recovered: true, at } : { recovered: true };
  }
  if (isFailingStatus(status) || origin.recoveredAt === undefined) return { recovered: false };
  return { recovered: true, at: origin.recoveredAt };
}

/** The origin to lead with (a banner's headline, a phone's first view): a current one before one that recovered. */
export const leadingOrigin = <T extends Pick<ProbableOrigin, 'recoveredAt'>>(origins: readonly T[]): T | undefined => origins.find((origin) => origin.recoveredAt === undefined) ?? origins[0];

/** Failing now because of a fault in this run: a service that never passed since Switchyard started is critical from old data. */
export const isFailingNow = (node: TopologyNode): boolean => isFailing(node) && node.neverPassed !== true;

/**
 * How long after a dependency recovers its callers may still fail on its errors: their status
 * weighs the last 30 s of the calls they answered, those reach Switchyard up to a reporting
 * interval late (60 s with an OpenTelemetry SDK's default), and a report spanning the recovery
 * still holds errors from before it.
 */
export const RECOVERY_RESIDUE_MS = 180_000;

export interface OriginOptions {
  /** Epoch ms, to judge whether a recovery is recent (`RECOVERY_RESIDUE_MS`). */
  now: number;
}

/** When the next recent recovery stops counting (epoch ms), so a view can ask for origins again then; null when none is recent. */
export function nextResidueExpiry(topology: Topology, now: number): number | null {
  let next: number | null = null;
  for (const node of topology.nodes) {
    if (node.recoveredAt === undefined) continue;
    const ends = Date.parse(node.recoveredAt) + RECOVERY_RESIDUE_MS;
    if (ends > now && (next === null || ends < next)) next = ends;
  }
  return next;
}

/** What the callers' timed calls say about who is slow (`slowDependencies`). */
interface SlowCalls {
  /** Nodes failing for the analysis only by being slow, each with the slow callers it explains. */
  waitedOn: Map<string, Set<string>>;
  /**
   * Every latency-failing service times slow calls and only slow ones, and several of them are slow
   * to two or more dependencies not failing by their own status: the slowness reads as the callers'
   * own (a busy host, which Switchyard cannot see).
   */
  everywhere: boolean;
}

/**
 * Who slow callers wait on. Edge latency is timed by the caller, its own saturation (CPU, GC
 * pauses) included, so a slow call C → D (`edgeSlowCause`) says D is slow or C is. For a node D
 * not failing by its own status, a caller failing only by latency (`causeKind`) explains its
 * slowness by D when two or more callers see D slow, or when D has no status of its own (a
 * database, cache, queue, or a name only calls mention) and is seen slow by that caller alone —
 * unless the caller is saturated: slow to two or more dependencies that no other caller sees
 * slow. A saturated caller is explained by none of them (it stays the origin), and a registered
 * service whose own status passes that one caller alone sees slow explains nothing. When no
 * latency-failing service times a call at its usual, and two or more are slow to several
 * dependencies not failing by their own status, nothing is slow for the analysis (`everywhere`):
 * a busy host; one more slow service calling nothing does not make it a quiet one.
 */
function slowDependencies(topology: Topology, isFailingId: ReadonlySet<string>): SlowCalls {
  const latencyFailing = new Set(topology.nodes.filter((node) => node.causeKind === 'latency' && isFailingId.has(node.id)).map((node) => node.id));
  // Per latency-failing caller, the dependencies not failing by their own status it sees slow: a
  // slow call to one already failing says nothing of the caller (a caller of two failing services
  // is not "slow to several").
  const slowTargets = new Map<string, Set<string>>();
  let timedAtUsual = false;
  const slowCallers = new Map<string, Set<string>>();
  for (const edge of topology.edges) {
    if (edge.from === edge.to) continue;
    const slow = edgeSlowCause(edge) !== null;
    if (latencyFailing.has(edge.from) && !slow && edge.p95Ms !== undefined && edge.baselineP95Ms !== undefined) timedAtUsual = true;
    if (!slow || isFailingId.has(edge.to)) continue;
    if (latencyFailing.has(edge.from)) slowTargets.set(edge.from, (slowTargets.get(edge.from) ?? new Set<string>()).add(edge.to));
    slowCallers.set(edge.to, (slowCallers.get(edge.to) ?? new Set<string>()).add(edge.from));
  }
  const slowToSeveral = [...slowTargets.values()].filter((targets) => targets.size >= 2).length;
  if (!timedAtUsual && slowToSeveral >= 2) return { waitedOn: new Map(), everywhere: true };
  const seenSlowByItAlone = (caller: string): number => [...(slowTargets.get(caller) ?? [])].filter((target) => slowCallers.get(target)?.size === 1).length;
  const saturated = new Set([...slowTargets.keys()].filter((caller) => seenSlowByItAlone(caller) >= 2));
  const kindOf = new Map(topology.nodes.map((node) => [node.id, node.kind]));
  const waitedOn = new Map<string, Set<string>>();
  for (const [id, callers] of slowCallers) {
    const waiting = new Set([...callers].filter((caller) => latencyFailing.has(caller) && !saturated.has(caller)));
    if (waiting.size === 0) continue;
    if (kindOf.get(id) === 'service' && callers.size < 2) continue;
    waitedOn.set(id, waiting);
  }
  return { waitedOn, everywhere: false };
}

/** The edge's calls in the last minute failed at a failing node's rate, at a rate worth judging. */
const callsFail = (edge: TopologyEdge): boolean => (edge.rps ?? 0) >= MIN_RPS_FOR_ERRORS && (edge.errorRate ?? 0) >= FAILING_ERROR_RATE;
const edgeKey = (from: string, to: string): string => `${from}\u0000${to}`;

interface Residue {
  /** caller → the recovered dependencies whose errors it is still clearing. */
  residueOf: Map<string, string[]>;
  /** Those dependencies → when they recovered. */
  recoveredAt: Map<string, string>;
}

/**
 * Services passing again after a recovery less than RECOVERY_RESIDUE_MS ago, with when (their
 * `recoveredAt`): the edges into them may still carry errors from before it (the map says so).
 */
export function recentRecoveries(topology: Pick<Topology, 'nodes'>, now: number): Map<string, string> {
  const recovered = new Map<string, string>();
  for (const node of topology.nodes) if (node.status === 'passing' && node.recoveredAt !== undefined && now - Date.parse(node.recoveredAt) <= RECOVERY_RESIDUE_MS) recovered.set(node.id, node.recoveredAt);
  return recovered;
}

/** Failing callers still clearing the errors of a dependency that recovered less than RECOVERY_RESIDUE_MS ago (see probableOrigins). */
function recentResidue(topology: Topology, isFailingId: ReadonlySet<string>, now: number): Residue {
  const residue: Residue = { residueOf: new Map(), recoveredAt: new Map() };
  const recovered = new Map<string, string>();
  const failingSince = new Map<string, string>();
  for (const node of topology.nodes) {
    if (isFailingId.has(node.id)) {
      if (node.failingSince !== undefined) failingSince.set(node.id, node.failingSince);
    } else if (node.recoveredAt !== undefined && now - Date.parse(node.recoveredAt) <= RECOVERY_RESIDUE_MS) recovered.set(node.id, node.recoveredAt);
  }
  if (recovered.size === 0) return residue;
  for (const edge of topology.edges) {
    const at = recovered.get(edge.to);
    const since = failingSince.get(edge.from);
    if (at === undefined || since === undefined || since > at) continue;
    if (!callsFail(edge)) continue;
    const list = residue.residueOf.get(edge.from);
    if (list) list.push(edge.to);
    else residue.residueOf.set(edge.from, [edge.to]);
    residue.recoveredAt.set(edge.to, at);
  }
  return residue;
}

/**
 * When several nodes fail at once, the likely origins: failing nodes whose own dependencies are all
 * healthy — the deepest failing dependency — ranked by how many other failing nodes depend on
 * them through failing nodes. A failing node nothing failing depends on is an isolated failure,
 * not an origin. Nodes in a failing dependency cycle whose other dependencies are healthy are
 * origins together (`peers`). Services that never passed in this run take no part (`isFailingNow`).
 * Only what the console can show failing is named: a registered service, a dependency a registered
 * service declares, or a database, cache or queue — never a name only calls mention (an `unknown`
 * node nothing declares), and nothing while nothing is registered. A service failing only by
 * latency whose calls to a dependency are slow may be waiting on it: `slowDependencies` says when
 * that dependency counts as failing (`slow`) and explains it, and when the slowness is everywhere
 * (then no service failing only by latency is named).
 *
 * A service that recovered less than RECOVERY_RESIDUE_MS ago still counts, as a recovered origin,
 * for the callers that began failing before it recovered and whose calls to it failed in the last
 * minute: their failure is its residue, and naming one of them the origin blamed a healthy caller
 * for a fault that was over. A caller that began failing after the recovery is a new fault.
 */
export function probableOrigins(topology: Topology, options: OriginOptions): ProbableOrigin[] {
  // With nothing registered, every node is a name from call statistics: nothing the console can
  // show failing would back the verdict (the fleet's leases all expired at once, etcd paused).
  if (!topology.nodes.some((node) => node.kind === 'service')) return [];
  const failingByStatus = topology.nodes.filter(isFailingNow).map((node) => node.id);
  if (failingByStatus.length === 0) return [];
  const { waitedOn: slowWaitedOn, everywhere: slowEverywhere } = slowDependencies(topology, new Set(failingByStatus));
  const slowOnlyEverywhere = new Set(slowEverywhere ? topology.nodes.filter((node) => node.causeKind === 'latency').map((node) => node.id) : []);
  const failingIds = [...failingByStatus, ...slowWaitedOn.keys()];
  const isFailingId = new Set(failingIds);
  const { residueOf, recoveredAt } = recentResidue(topology, isFailingId, options.now);
  // One failing node explains nothing, unless a recovered dependency explains it.
  if (failingIds.length < 2 && recoveredAt.size === 0) return [];
  const graph = adjacency(topology.edges);
  // Names only calls mention, undeclared and of no kind the calls told: what registered may have left discovery.
  const declaredTargets = new Set(topology.edges.filter((edge) => edge.sources.includes('declared')).map((edge) => edge.to));
  const unregistered = new Set(topology.nodes.filter((node) => node.kind === 'unknown' && !declaredTargets.has(node.id)).map((node) => node.id));
  const involved = [...failingIds, ...recoveredAt.keys()];
  // A service failing only by being out of discovery (crashed, or cut off from etcd while serving) is
  // not failing because of a dependency: only its failed calls to one say otherwise. Two services of
  // a zone cut off from etcd together blamed the one the other declares a dependency on.
  const onlyLost = new Set(topology.nodes.filter((node) => node.failingOnlyLost).map((node) => node.id));
  const failedCalls = new Set(topology.edges.filter((edge) => onlyLost.has(edge.from) && callsFail(edge)).map((edge) => edgeKey(edge.from, edge.to)));
  // A node failing only by being slow explains the slow callers waiting on it, not others' failures.
  const explainedBy = (caller: string, dependency: string): boolean =>
    (!onlyLost.has(caller) || failedCalls.has(edgeKey(caller, dependency))) && (slowWaitedOn.get(dependency)?.has(caller) ?? true);
  // A recovered dependency that depends on something failing now is no origin: early in an outage
  // a caller flaps passing and back while the fault under it goes on, and that fault explains both.
  const failingDown = (id: string): string[] => [...(graph.down.get(id) ?? []).filter((target) => isFailingId.has(target) && explainedBy(id, target)), ...(residueOf.get(id) ?? [])];
  const failingUp = (id: string): string[] =>
    (graph.up.get(id) ?? []).filter((caller) =>
      isFailingId.has(id) ? (isFailingId.has(caller) && explainedBy(caller, id)) || recoveredAt.has(caller) : (residueOf.get(caller) ?? []).includes(id),
    );

  const origins: ProbableOrigin[] = [];
  for (const component of stronglyConnected(involved, failingDown)) {
    const members = new Set(component);
    const isSink = component.every((id) => failingDown(id).every((target) => members.has(target)));
    if (!isSink) continue;
    const explained = new Set<string>();
    const queue = [...component];
    while (queue.length > 0) {
      const id = queue.pop() ?? '';
      for (const caller of failingUp(id)) {
        if (members.has(caller) || explained.has(caller)) continue;
        explained.add(caller);
        queue.push(caller);
      }
    }
    if (explained.size === 0) continue;
    const explains = [...explained].sort();
    for (const id of component) {
      // A name only calls mention fails by its callers' errors alone: named the origin, it sent the
      // reader to a node the registry cannot show (a service out of discovery, say). It still keeps
      // its callers from being origins: they fail on it.
      if (unregistered.has(id)) continue;
      // Every timed call slow, from several services slow to several dependencies: one of them
      // named for its latency blamed a service for a busy host. It still keeps its callers from being origins.
      if (slowOnlyEverywhere.has(id)) continue;
      const recovered = recoveredAt.get(id);
      origins.push({
        id,
        explains,
        peers: component.filter((peer) => peer !== id),
        dependencies: new Set(graph.down.get(id) ?? []).size,
        ...(slowWaitedOn.has(id) ? { slow: true as const } : {}),
        ...(recovered !== undefined ? { recoveredAt: recovered } : {}),
      });
    }
  }
  return origins.sort((a, b) => b.explains.length - a.explains.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const listNames = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;

const services = (count: number): string => `${count} failing ${count === 1 ? 'service' : 'services'}`;

/** One sentence for the panel and the map's notice. */
export function describeOrigin(origin: ProbableOrigin): string {
  const scope = `likely origin of ${services(origin.explains.length)}`;
  if (origin.recoveredAt !== undefined) {
    const callers = origin.explains.length === 1 ? `${origin.explains[0] ?? ''}, which depends on it, is` : `${listNames(origin.explains)}, which depend on it, are`;
    return `${origin.id} recovered at ${utcClock(origin.recoveredAt)}; ${callers} still clearing its errors: ${scope}`;
  }
  if (origin.peers.length > 0) {
    return `${listNames([origin.id, ...origin.peers])} are failing together (they depend on each other) and their other dependencies are healthy: ${scope}`;
  }
  const failing = origin.slow ? 'is slow to the services that wait on it' : 'is failing';
  if (origin.dependencies === 0) return `${origin.id} ${failing} and depends on nothing else Switchyard knows of: ${scope}`;
  return `${origin.id} ${failing} and all its dependencies are healthy: ${scope}`;
}
