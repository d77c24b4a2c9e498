import type { EdgeStats } from '../latency';
import type { RegistryStatus } from '../live';
import type { ServiceSummary } from '../service-summary';
import { probableOrigins, type ProbableOrigin } from './graph';
import { sharedDeparture, type SharedDeparture } from './shared-departure';
import { deriveTopologyFromSummaries, type NodeKind, type Topology } from './topology';

/** A probable origin with its node's kind: only a service has a page to open. */
export type KindedOrigin = ProbableOrigin & { kind: NodeKind };

/** Where the current failure probably starts: origins, or most of the fleet leaving etcd together (said in their place). */
export interface LikelyCause {
  origins: KindedOrigin[];
  departure: SharedDeparture | null;
}

export const NO_CAUSE: LikelyCause = { origins: [], departure: null };

/**
 * Where the current failure probably starts, as the map says it: the probable origins, each with its
 * node's kind, and whether most of the fleet left etcd together (said in place of any origin). What
 * `GET /api/v1/topology?origins=only` answers and the Alerts page opens with, so neither disagrees
 * with the map.
 */
export function likelyCause(topology: Topology, registry: Pick<RegistryStatus, 'state'>, now: number): LikelyCause {
  const kindOf = new Map(topology.nodes.map((node) => [node.id, node.kind]));
  return {
    origins: probableOrigins(topology, { now }).map((origin) => ({ ...origin, kind: kindOf.get(origin.id) ?? 'service' })),
    departure: sharedDeparture(topology, registry),
  };
}

/**
 * `likelyCause` from the services' summaries, for a page that reads it on every refresh (the Alerts
 * page, every 5 s while open): a fleet with nothing failing, no failing call and no service out of
 * etcd has no cause, and its topology (50,000 declared edges at 10,000 services: 60–300 ms) is not built.
 */
export function likelyCauseOfFleet(summaries: readonly ServiceSummary[], observed: readonly EdgeStats[], registry: Pick<RegistryStatus, 'state'>, now: number): LikelyCause {
  const quiet =
    !observed.some((edge) => (edge.errorRate ?? 0) > 0) &&
    !summaries.some((summary) => summary.status === 'critical' || summary.status === 'warning' || summary.leftEtcdAt !== undefined);
  return quiet ? NO_CAUSE : likelyCause(deriveTopologyFromSummaries(summaries, observed), registry, now);
}
