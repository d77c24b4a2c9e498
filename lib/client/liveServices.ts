import type { Instance, Service } from '@/lib/model/instance';
import { summarizeService, type ServiceSummary } from '@/lib/model/filter';
import { toService, type LiveState } from '@/lib/model/state';

// applyDelta copies only the services a delta touches, so keying on the per-service instance
// map keeps every untouched Service (and its summary) the same object, and memoised rows skip.
const serviceCache = new WeakMap<ReadonlyMap<string, Instance>, Service>();
const summaryCache = new WeakMap<Service, ServiceSummary>();

export function serviceFrom(name: string, instances: ReadonlyMap<string, Instance>): Service {
  let service = serviceCache.get(instances);
  if (service === undefined || service.name !== name) {
    service = toService(name, instances);
    serviceCache.set(instances, service);
  }
  return service;
}

/** Services in name order, reusing the objects of services that did not change. */
export function servicesOf(state: Pick<LiveState, 'services'>): Service[] {
  return [...state.services.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => serviceFrom(name, state.services.get(name) ?? new Map()));
}

export function summaryOf(service: Service): ServiceSummary {
  let summary = summaryCache.get(service);
  if (summary === undefined) {
    summary = summarizeService(service);
    summaryCache.set(service, summary);
  }
  return summary;
}
