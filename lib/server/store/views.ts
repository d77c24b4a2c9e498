import type { Instance } from '@/lib/model/instance';
import type { Change, Delta, RegistryStatus, ServiceSnapshot, SummarySnapshot } from '@/lib/model/live';
import { sameSummary, summarizeInstances, type ServiceSummary } from '@/lib/model/service-summary';
import type { DeltaLog } from './delta-log';

/** What one store delta means for the views: the summaries that changed, and each service's changes. */
export interface ViewDelta {
  seq: number;
  revision: string;
  registry?: RegistryStatus;
  summaryUpserts: ServiceSummary[];
  /** Services left without instances. */
  summaryRemoves: string[];
  /** service name → that service's changes in this delta. */
  changesByService: ReadonlyMap<string, Change[]>;
}

/** What changed in a view since a seq the delta log still reaches (a resume's catch-up). */
export interface SummaryCatchUp {
  seq: number;
  revision: string;
  registry: RegistryStatus;
  upserts: ServiceSummary[];
  removes: string[];
}
export interface ServiceCatchUp {
  seq: number;
  revision: string;
  changes: Change[];
}

export interface ViewIndex {
  summarySnapshot(epoch: string): SummarySnapshot;
  serviceSnapshot(epoch: string, service: string): ServiceSnapshot;
  /** The current summary of every service touched after `seq`; null when the log no longer reaches back. */
  summaryCatchUp(seq: number): SummaryCatchUp | null;
  /** The current state of every instance of `service` touched after `seq`; null when the log no longer reaches back. */
  serviceCatchUp(service: string, seq: number): ServiceCatchUp | null;
  subscribe(listener: (delta: ViewDelta) => void): () => void;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byId = (a: Instance, b: Instance): number => compareText(a.id, b.id) || compareText(a.key, b.key);
const serviceOfChange = (change: Change): string => (change.op === 'upsert' ? change.instance.service : change.service);
const keyOfChange = (change: Change): string => (change.op === 'upsert' ? change.instance.key : change.key);

/**
 * Per-service summaries kept current delta by delta (only the services a delta touches are
 * summarised again), and the split of each delta into what the summary view and each service view
 * receive. It listens to the log before anyone else, so a listener of its own sees summaries as of
 * the delta it is handed.
 */
export function createViewIndex(log: DeltaLog, instancesOfService: (service: string) => Instance[]): ViewIndex {
  const summaries = new Map<string, ServiceSummary>();
  const listeners = new Set<(delta: ViewDelta) => void>();
  let lastSummarySnapshot: SummarySnapshot | undefined;

  log.subscribe((delta: Delta) => {
    const changesByService = new Map<string, Change[]>();
    for (const change of delta.changes) {
      const name = serviceOfChange(change);
      const list = changesByService.get(name);
      if (list) list.push(change);
      else changesByService.set(name, [change]);
    }
    const summaryUpserts: ServiceSummary[] = [];
    const summaryRemoves: string[] = [];
    for (const name of changesByService.keys()) {
      const instances = instancesOfService(name);
      const before = summaries.get(name);
      if (instances.length === 0) {
        if (before) {
          summaries.delete(name);
          summaryRemoves.push(name);
        }
        continue;
      }
      const after = summarizeInstances(name, instances);
      if (before && sameSummary(before, after)) continue;
      summaries.set(name, after);
      summaryUpserts.push(after);
    }
    const viewDelta: ViewDelta = { seq: delta.seq, revision: delta.revision, summaryUpserts, summaryRemoves, changesByService };
    if (delta.registry) viewDelta.registry = delta.registry;
    for (const listener of listeners) listener(viewDelta);
  });

  return {
    summarySnapshot(epoch) {
      log.flush();
      const seq = log.seq();
      const revision = log.revision();
      // Shared until the next change, like the full snapshot: an incident brings many viewers at once.
      if (lastSummarySnapshot?.epoch !== epoch || lastSummarySnapshot.seq !== seq || lastSummarySnapshot.revision !== revision) {
        const services = [...summaries.values()].sort((a, b) => compareText(a.name, b.name));
        lastSummarySnapshot = { epoch, seq, revision, registry: log.registryStatus(), services };
      }
      return lastSummarySnapshot;
    },
    serviceSnapshot(epoch, service) {
      log.flush();
      return { epoch, seq: log.seq(), revision: log.revision(), service, instances: instancesOfService(service).sort(byId) };
    },
    summaryCatchUp(seq) {
      log.flush();
      const deltas = log.deltasSince(seq);
      if (!deltas) return null;
      const touched = new Set<string>();
      for (const delta of deltas) for (const change of delta.changes) touched.add(serviceOfChange(change));
      const upserts: ServiceSummary[] = [];
      const removes: string[] = [];
      for (const name of [...touched].sort(compareText)) {
        const summary = summaries.get(name);
        if (summary) upserts.push(summary);
        else removes.push(name);
      }
      return { seq: log.seq(), revision: log.revision(), registry: log.registryStatus(), upserts, removes };
    },
    serviceCatchUp(service, seq) {
      log.flush();
      const deltas = log.deltasSince(seq);
      if (!deltas) return null;
      const touched = new Set<string>();
      for (const delta of deltas) for (const change of delta.changes) if (serviceOfChange(change) === service) touched.add(keyOfChange(change));
      const current = new Map(instancesOfService(service).map((instance) => [instance.key, instance]));
      const changes: Change[] = [...touched].map((key) => {
        const instance = current.get(key);
        return instance ? { op: 'upsert', instance } : { op: 'remove', service, key };
      });
      return { seq: log.seq(), revision: log.revision(), changes };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
