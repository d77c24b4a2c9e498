import { mayHaveConditions, type EvaluationInput } from '@/lib/model/alerts/conditions';
import type { EdgeStats } from '@/lib/model/latency';
import type { RegistryStatus, ServiceSnapshot, SummarySnapshot } from '@/lib/model/live';
import type { ServiceSummary } from '@/lib/model/service-summary';
import { toService } from '@/lib/model/state';
import { deriveTopologyFromSummaries } from '@/lib/model/topology/topology';
import { probableOrigins } from '@/lib/model/topology/graph';

/** What an evaluation reads of the fleet (the store's summary and service views). */
export interface AlertFleet {
  /** Every service's summary, up to date when it returns (the store flushes its pending batch). */
  summarySnapshot(): Pick<SummarySnapshot, 'services'>;
  /** One service's instances as they are now. */
  serviceSnapshot(service: string): Pick<ServiceSnapshot, 'instances'>;
  registryStatus(): RegistryStatus;
}

/**
 * The engine's input from what the store keeps per service, instead of the whole fleet's snapshot:
 * the topology from the summaries, and instances only for the services that can have a condition
 * (`mayHaveConditions`): at 100,000 instances a few services' worth, not a rebuild of all of them.
 *
 * The same conditions as from a full snapshot (evaluation-input.test.ts). `summarySnapshot()` brings
 * the summaries up to date before it returns (store/views.ts flushes the log and the 100 ms batch),
 * and the instances are read right after in the same synchronous turn, so the summaries are never
 * older than the instances: a service that just turned critical is not missed for a window. The
 * flush sends that batch to viewers a little early, once per evaluation. A summary's `cause` text
 * may name another first failing instance than the sorted service's (instances in table order), but
 * conditions take causes from the services built here; the topology gives only statuses, kinds and
 * call rates, which do not depend on order.
 */
export function evaluationInput(fleet: AlertFleet, edges: readonly EdgeStats[], nowMs: number): EvaluationInput {
  const summaries = fleet.summarySnapshot().services;
  // Summaries come in name order, as a full snapshot lists its services.
  const services = summaries.filter((summary) => mayHaveConditions(summary, nowMs)).map((summary) => toService(summary.name, new Map(fleet.serviceSnapshot(summary.name).instances.map((instance) => [instance.key, instance]))));
  const registry = fleet.registryStatus();
  const recoveredAt = new Map<string, string>();
  for (const summary of summaries) if (summary.recoveredAt !== undefined) recoveredAt.set(summary.name, summary.recoveredAt);
  // Probable origins need two failing nodes; conditions read the topology only for origins. Below
  // that, the topology (50,000 declared edges at 10,000 services: 60–300 ms, every evaluation) is skipped.
  if (possiblyFailing(summaries, edges) < 2) return { services, topology: { nodes: [], edges: [] }, origins: [], registry, recoveredAt };
  const topology = deriveTopologyFromSummaries(summaries, edges);
  return { services, topology, origins: probableOrigins(topology, { now: nowMs }), registry, recoveredAt };
}

/**
 * An upper bound on the topology's failing nodes (`isFailing`): services by their status, and
 * whatever observed calls to it fail (a service not probed yet, a database, a queue).
 */
function possiblyFailing(summaries: readonly ServiceSummary[], edges: readonly EdgeStats[]): number {
  const failingTargets = new Set<string>();
  for (const edge of edges) if ((edge.errorRate ?? 0) > 0) failingTargets.add(edge.to);
  let count = failingTargets.size;
  for (const summary of summaries) if ((summary.status === 'critical' || summary.status === 'warning') && !failingTargets.has(summary.name)) count += 1;
  return count;
}
