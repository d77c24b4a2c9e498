import type { Instance } from '@/lib/model/instance';
import type { Change, Delta, RegistryStatus, ServiceSnapshot, SummarySnapshot } from '@/lib/model/live';
import { compareNatural } from '@/lib/model/natural-order';
import { sameSummary, summarizeInstances, type ServiceSummary } from '@/lib/model/service-summary';
import { systemClock, type Clock } from './clock';
import type { DeltaLog } from './delta-log';
import { createThrottle } from './throttle';

/** What the views hear: one store delta's changes per service (at once), or the summaries that changed since the last batch (at most one batch per SUMMARY_WINDOW_MS). */
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
/** As the views order them (lib/model/state.ts): numbers in ids as numbers. */
const byId = (a: Instance, b: Instance): number => compareNatural(a.id, b.id) || compareText(a.key, b.key);
const serviceOfChange = (change: Change): string => (change.op === 'upsert' ? change.instance.service : change.service);
const keyOfChange = (change: Change): string => (change.op === 'upsert' ? change.instance.key : change.key);

/**
 * Summaries leave at most once per this window during a burst (leading edge: a change after a quiet
 * spell leaves on the next tick), or a longer one when passes are dear (SUMMARY_WINDOW_PASSES). A
 * service of thousands of instances changing with every delta was summarised again for every delta
 * — O(its size) each time — which held the event loop under 1,000 puts/s and in the first listing
 * of 100,000 instances; batched, it is summarised once a window.
 */
export const SUMMARY_WINDOW_MS = 100;
/**
 * The window in lengths of the last pass (a factor, not ms): a pass over big services costs O(their
 * size) however few instances changed (a deploy of thousands, the scale bench's 1,000 puts/s into
 * four services of 2,500), so the window stretches to this many passes and summaries take at most
 * ~5 % of the event loop, up to MAX_SUMMARY_WINDOW_MS. Ordinary fleets never leave SUMMARY_WINDOW_MS.
 */
export const SUMMARY_WINDOW_PASSES = 20;
export const MAX_SUMMARY_WINDOW_MS = 1_000;

/**
 * Per-service summaries, and the split of each delta into what each service view receives (at
 * once) and what the summary view receives (the services it touched, summarised again at most once
 * per SUMMARY_WINDOW_MS). It listens to the log before anyone else. A summary message carries the
 * log's seq when it was built: it holds every delta up to it.
 */
export function createViewIndex(log: DeltaLog, instancesOfService: (service: string) => Instance[], clock: Clock = systemClock): ViewIndex & { flush(): void; close(): void } {
  const summaries = new Map<string, ServiceSummary>();
  const listeners = new Set<(delta: ViewDelta) => void>();
  let lastSummarySnapshot: SummarySnapshot | undefined;
  /** Services touched since the summaries were last built. */
  const dirty = new Set<string>();
  let pendingRegistry: RegistryStatus | undefined;
  /** The batch that last changed a summary (or the registry status): what a summary snapshot is as of. */
  let summaryBatch = { seq: 0, revision: log.revision() };
  const emit = (delta: ViewDelta): void => {
    for (const listener of listeners) listener(delta);
  };

  /** How long the last pass took, on the clock: what the next window is stretched by. */
  let lastPassMs = 0;
  const summarise = (): boolean => {
    if (dirty.size === 0 && pendingRegistry === undefined) return false;
    const passStarted = clock.now();
    const summaryUpserts: ServiceSummary[] = [];
    const summaryRemoves: string[] = [];
    for (const name of dirty) {
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
    dirty.clear();
    lastPassMs = clock.now() - passStarted;
    const registry = pendingRegistry;
    pendingRegistry = undefined;
    if (summaryUpserts.length === 0 && summaryRemoves.length === 0 && registry === undefined) return false;
    const viewDelta: ViewDelta = { seq: log.seq(), revision: log.revision(), summaryUpserts, summaryRemoves, changesByService: new Map() };
    if (registry) viewDelta.registry = registry;
    summaryBatch = { seq: viewDelta.seq, revision: viewDelta.revision };
    emit(viewDelta);
    return true;
  };
  const summaryWindow = (): number => Math.min(MAX_SUMMARY_WINDOW_MS, Math.max(SUMMARY_WINDOW_MS, SUMMARY_WINDOW_PASSES * lastPassMs));
  const throttle = createThrottle(summarise, summaryWindow, clock);

  log.subscribe((delta: Delta) => {
    const changesByService = new Map<string, Change[]>();
    for (const change of delta.changes) {
      const name = serviceOfChange(change);
      const list = changesByService.get(name);
      if (list) list.push(change);
      else changesByService.set(name, [change]);
      dirty.add(name);
    }
    if (delta.registry) pendingRegistry = delta.registry;
    if (changesByService.size > 0) emit({ seq: delta.seq, revision: delta.revision, summaryUpserts: [], summaryRemoves: [], changesByService });
    throttle.schedule();
  });

  /** The log's pending changes and the summaries they touch, brought up to date now. */
  const flush = (): void => {
    log.flush();
    throttle.runNow();
  };

  return {
    summarySnapshot(epoch) {
      flush();
      // As of the batch that last changed a summary, not the log's seq: deltas that left every
      // summary as it was (a probe result, a lease TTL) keep one build — and its encoded parts —
      // shared by every viewer, as an incident brings many at once. Later summary messages all
      // carry a higher seq, so the rule holds.
      const { seq, revision } = summaryBatch;
      if (lastSummarySnapshot?.epoch !== epoch || lastSummarySnapshot.seq !== seq) {
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
      flush();
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
    flush,
    close: throttle.cancel,
  };
}
