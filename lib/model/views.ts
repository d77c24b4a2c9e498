import type { Instance, Service } from './instance';
import type { RegistryStatus, ServiceDelta, ServiceSnapshot, SummaryDelta, SummarySnapshot } from './live';
import type { ServiceSummary } from './service-summary';
import { toService, type DeltaOutcome } from './state';

/**
 * The per-view rule (docs/ARCHITECTURE "Live updates"): a message at or below the last applied seq
 * is stale; one whose `prev` is above it follows a message this client missed (resume); otherwise
 * it applies.
 */
export function viewOutcome(applied: number, message: { seq: number; prev: number }): DeltaOutcome {
  if (message.seq <= applied) return 'stale';
  if (message.prev > applied) return 'gap';
  return 'applied';
}

/** The summary view as the browser holds it. */
export interface SummaryView {
  epoch: string;
  seq: number;
  revision: string;
  registry: RegistryStatus;
  /** service name → summary. A Map: names are strangers' strings. */
  services: ReadonlyMap<string, ServiceSummary>;
}

export function summaryViewFromSnapshot(snapshot: SummarySnapshot): SummaryView {
  return {
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    revision: snapshot.revision,
    registry: snapshot.registry,
    services: new Map(snapshot.services.map((summary) => [summary.name, summary])),
  };
}

/** Applies a summary delta by the rule above; never mutates `view`. */
export function applySummaryDelta(view: SummaryView, delta: SummaryDelta): { view: SummaryView; outcome: DeltaOutcome } {
  const outcome = viewOutcome(view.seq, delta);
  if (outcome !== 'applied') return { view, outcome };
  const services = new Map(view.services);
  for (const name of delta.removes) services.delete(name);
  for (const summary of delta.upserts) services.set(summary.name, summary);
  return {
    view: { epoch: view.epoch, seq: delta.seq, revision: delta.revision, registry: delta.registry ?? view.registry, services },
    outcome,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Summaries in name order. */
export function summariesOf(view: Pick<SummaryView, 'services'>): ServiceSummary[] {
  return [...view.services.values()].sort((a, b) => compareText(a.name, b.name));
}

/** One service's view as the browser holds it. */
export interface ServiceView {
  epoch: string;
  seq: number;
  revision: string;
  service: string;
  /** instance key → instance. */
  instances: ReadonlyMap<string, Instance>;
}

export function serviceViewFromSnapshot(snapshot: ServiceSnapshot): ServiceView {
  return {
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    revision: snapshot.revision,
    service: snapshot.service,
    instances: new Map(snapshot.instances.map((instance) => [instance.key, instance])),
  };
}

/**
 * Applies a service delta by the rule above; a delta for another service is ignored as stale. An
 * upsert naming another service is an instance that moved away: it leaves this view.
 */
export function applyServiceDelta(view: ServiceView, delta: ServiceDelta): { view: ServiceView; outcome: DeltaOutcome } {
  if (delta.service !== view.service) return { view, outcome: 'stale' };
  const outcome = viewOutcome(view.seq, delta);
  if (outcome !== 'applied') return { view, outcome };
  const instances = new Map(view.instances);
  for (const change of delta.changes) {
    if (change.op === 'remove') instances.delete(change.key);
    else if (change.instance.service === view.service) instances.set(change.instance.key, change.instance);
    else instances.delete(change.instance.key);
  }
  return { view: { epoch: view.epoch, seq: delta.seq, revision: delta.revision, service: view.service, instances }, outcome };
}

/** The view as a Service (instances in id order, rolled-up status), as pages render it. */
export function serviceOf(view: Pick<ServiceView, 'service' | 'instances'>): Service {
  return toService(view.service, view.instances);
}
