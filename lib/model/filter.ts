import { FORMATS, STATUSES, type Format, type Service, type Status } from './instance';
import { compareStatusWorstFirst } from './health';
import type { ServiceSummary } from './service-summary';

/** What the services table shows and filters on: a service's summary (no instances). */
export type ListedService = Pick<ServiceSummary, 'name' | 'status' | 'cause' | 'instances' | 'formats' | 'versions' | 'zones' | 'flappingUntil' | 'recoveredAt'>;

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
  // Worst first, ties by name: in an outage the failing services lead the list, however many pass.
  sort: 'status',
  direction: 'asc',
};

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The longest search the server takes (`GET /api/v1/services?search=`). */
export const MAX_SEARCH_CHARS = 256;

const needleOf = (search: string): string => search.trim().toLowerCase();

/**
 * Whether a service matches a search by what on-call looks for: its name, an instance id, an
 * address or a metadata value ("which service has 10.0.3.7?"). The server answers this, since the
 * browser holds no instances.
 */
export function serviceMatchesSearch(service: Pick<Service, 'name' | 'instances'>, search: string): boolean {
  const needle = needleOf(search);
  if (needle === '' || service.name.toLowerCase().includes(needle)) return true;
  return service.instances.some(
    (instance) =>
      instance.id.toLowerCase().includes(needle) ||
      instance.address.toLowerCase().includes(needle) ||
      Object.values(instance.metadata).some((value) => value.toLowerCase().includes(needle)),
  );
}

/** A name match, or one of `hits` (the services the server found matching by their instances). */
export function matchesSearch(summary: Pick<ListedService, 'name'>, search: string, hits?: ReadonlySet<string>): boolean {
  const needle = needleOf(search);
  if (needle === '') return true;
  return summary.name.toLowerCase().includes(needle) || (hits?.has(summary.name) ?? false);
}

export function matchesQuery(summary: ListedService, query: ServiceQuery, hits?: ReadonlySet<string>): boolean {
  if (query.status !== '' && summary.status !== query.status) return false;
  if (query.format !== '' && !summary.formats.includes(query.format)) return false;
  if (query.zone !== '' && !summary.zones.includes(query.zone)) return false;
  if (query.version !== '' && !summary.versions.includes(query.version)) return false;
  return matchesSearch(summary, query.search, hits);
}

const comparators: Record<SortKey, (a: ListedService, b: ListedService) => number> = {
  name: (a, b) => compareText(a.name, b.name),
  status: (a, b) => compareStatusWorstFirst(a.status, b.status),
  instances: (a, b) => a.instances - b.instances,
};

/**
 * Sorts a copy; ties fall back to name so live updates never shuffle equal rows. By status, the
 * likely origins of the current failures (`origins`) lead their status: in an outage the service
 * where it starts is the first row, not the first of its victims by name.
 */
export function sortServices<T extends ListedService>(summaries: readonly T[], sort: SortKey, direction: SortDirection, origins?: ReadonlySet<string>): T[] {
  const primary = comparators[sort];
  const sign = direction === 'asc' ? 1 : -1;
  const originFirst = sort === 'status' && origins !== undefined && origins.size > 0 ? (a: T, b: T) => Number(origins.has(b.name)) - Number(origins.has(a.name)) : () => 0;
  return [...summaries].sort((a, b) => sign * primary(a, b) || originFirst(a, b) || compareText(a.name, b.name));
}

/** `hits`: services the server found matching the search by their instances (see serviceMatchesSearch); `origins`: see sortServices. */
export function queryServices<T extends ListedService>(summaries: readonly T[], query: ServiceQuery, hits?: ReadonlySet<string>, origins?: ReadonlySet<string>): T[] {
  return sortServices(
    summaries.filter((s) => matchesQuery(s, query, hits)),
    query.sort,
    query.direction,
    origins,
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
export function facetsOf(summaries: readonly ListedService[]): Facets {
  return {
    statuses: toFacet(countValues(summaries.map((s) => [s.status])), STATUSES),
    formats: toFacet(countValues(summaries.map((s) => s.formats)), FORMATS),
    zones: toFacet(countValues(summaries.map((s) => s.zones))),
    versions: toFacet(countValues(summaries.map((s) => s.versions))),
  };
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
