import { FORMATS, STATUSES, type Format, type Service, type Status } from './instance';
import { compareStatusWorstFirst } from './health';

/** One row of the services table: a service plus the facts the table shows and searches. */
export interface ServiceSummary {
  service: Service;
  name: string;
  status: Status;
  instanceCount: number;
  formats: Format[];
  versions: string[];
  zones: string[];
  /** Lower-cased strings the search box matches: name, instance ids, addresses, metadata values. */
  searchText: string[];
}

export const SORT_KEYS = ['name', 'status', 'instances'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** Direction a column sorts in when first clicked: worst status first, biggest services first. */
export function defaultDirection(sort: SortKey): SortDirection {
  return sort === 'instances' ? 'desc' : 'asc';
}

export interface ServiceQuery {
  search: string;
  /** Empty string means "any". */
  status: Status | '';
  format: Format | '';
  zone: string;
  version: string;
  sort: SortKey;
  direction: SortDirection;
}

export const DEFAULT_QUERY: ServiceQuery = {
  search: '',
  status: '',
  format: '',
  zone: '',
  version: '',
  sort: 'name',
  direction: 'asc',
};

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function distinctSorted<T extends string>(values: Iterable<T | undefined>): T[] {
  const set = new Set<T>();
  for (const value of values) if (value !== undefined && value !== '') set.add(value);
  return [...set].sort(compareText);
}

export function summarizeService(service: Service): ServiceSummary {
  const searchText = [service.name.toLowerCase()];
  for (const instance of service.instances) {
    searchText.push(instance.id.toLowerCase(), instance.address.toLowerCase());
    for (const value of Object.values(instance.metadata)) searchText.push(value.toLowerCase());
  }
  return {
    service,
    name: service.name,
    status: service.status,
    instanceCount: service.instances.length,
    formats: distinctSorted(service.instances.map((i) => i.format)),
    versions: distinctSorted(service.instances.map((i) => i.version)),
    zones: distinctSorted(service.instances.map((i) => i.zone)),
    searchText,
  };
}

export function matchesSearch(summary: ServiceSummary, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  return summary.searchText.some((text) => text.includes(needle));
}

export function matchesQuery(summary: ServiceSummary, query: ServiceQuery): boolean {
  if (query.status !== '' && summary.status !== query.status) return false;
  if (query.format !== '' && !summary.formats.includes(query.format)) return false;
  if (query.zone !== '' && !summary.zones.includes(query.zone)) return false;
  if (query.version !== '' && !summary.versions.includes(query.version)) return false;
  return matchesSearch(summary, query.search);
}

const comparators: Record<SortKey, (a: ServiceSummary, b: ServiceSummary) => number> = {
  name: (a, b) => compareText(a.name, b.name),
  status: (a, b) => compareStatusWorstFirst(a.status, b.status),
  instances: (a, b) => a.instanceCount - b.instanceCount,
};

/** Sorts a copy; ties fall back to name so live updates never shuffle equal rows. */
export function sortServices(
  summaries: readonly ServiceSummary[],
  sort: SortKey,
  direction: SortDirection,
): ServiceSummary[] {
  const primary = comparators[sort];
  const sign = direction === 'asc' ? 1 : -1;
  return [...summaries].sort((a, b) => sign * primary(a, b) || compareText(a.name, b.name));
}

export function queryServices(summaries: readonly ServiceSummary[], query: ServiceQuery): ServiceSummary[] {
  return sortServices(
    summaries.filter((s) => matchesQuery(s, query)),
    query.sort,
    query.direction,
  );
}

export interface FacetValue<T extends string = string> {
  value: T;
  /** Services having at least one instance with this value (for status: services in that status). */
  count: number;
}

export interface Facets {
  statuses: FacetValue<Status>[];
  formats: FacetValue<Format>[];
  zones: FacetValue[];
  versions: FacetValue[];
}

function countValues<T extends string>(lists: Iterable<readonly T[]>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const list of lists) for (const value of list) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function toFacet<T extends string>(counts: Map<T, number>, order?: readonly T[]): FacetValue<T>[] {
  const values = order ? order.filter((v) => counts.has(v)) : [...counts.keys()].sort(compareText);
  return values.map((value) => ({ value, count: counts.get(value) ?? 0 }));
}

/** The values the filter dropdowns offer, each with how many services it would match. */
export function facetsOf(summaries: readonly ServiceSummary[]): Facets {
  return {
    statuses: toFacet(countValues(summaries.map((s) => [s.status])), STATUSES),
    formats: toFacet(countValues(summaries.map((s) => s.formats)), FORMATS),
    zones: toFacet(countValues(summaries.map((s) => s.zones))),
    versions: toFacet(countValues(summaries.map((s) => s.versions))),
  };
}

export interface FleetCounts {
  services: number;
  instances: number;
  /** Services per rolled-up status. */
  byStatus: Record<Status, number>;
}

export function countFleet(services: readonly Pick<Service, 'status' | 'instances'>[]): FleetCounts {
  const byStatus: Record<Status, number> = { passing: 0, warning: 0, critical: 0, unknown: 0 };
  let instances = 0;
  for (const service of services) {
    byStatus[service.status] += 1;
    instances += service.instances.length;
  }
  return { services: services.length, instances, byStatus };
}

function oneOf<T extends string>(allowed: readonly T[], value: string): T | undefined {
  return (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

/**
 * Reads a query from URL search params (`get` as on URLSearchParams: the first value or null);
 * unknown or malformed values fall back to the defaults.
 */
export function parseServiceQuery(get: (name: string) => string | null | undefined): ServiceQuery {
  const param = (name: string) => get(name) ?? '';
  return {
    search: param('q'),
    status: oneOf(STATUSES, param('status')) ?? '',
    format: oneOf(FORMATS, param('format')) ?? '',
    zone: param('zone'),
    version: param('version'),
    sort: oneOf(SORT_KEYS, param('sort')) ?? DEFAULT_QUERY.sort,
    direction: param('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** The inverse of parseServiceQuery, omitting defaults so URLs stay short. */
export function serviceQueryToParams(query: ServiceQuery): [string, string][] {
  const params: [string, string][] = [];
  if (query.search !== '') params.push(['q', query.search]);
  if (query.status !== '') params.push(['status', query.status]);
  if (query.format !== '') params.push(['format', query.format]);
  if (query.zone !== '') params.push(['zone', query.zone]);
  if (query.version !== '') params.push(['version', query.version]);
  if (query.sort !== DEFAULT_QUERY.sort) params.push(['sort', query.sort]);
  if (query.direction !== DEFAULT_QUERY.direction) params.push(['dir', query.direction]);
  return params;
}
