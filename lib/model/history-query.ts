import { EVENT_KINDS, type EventKind, type HistoryEvent } from './events';
import { compareNewestFirst, mergeEvents } from './history-list';
import { failureSignal } from './incidents';
import { lossPairs } from './loss-departures';

/** Time range presets of the History page, as lookback durations (ms). */
export const RANGE_PRESETS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const RANGE_PRESET_NAMES = Object.keys(RANGE_PRESETS) as RangePreset[];
export type HistoryRange = RangePreset | 'custom';
export const DEFAULT_RANGE: RangePreset = '24h';

export type HistoryView = 'timeline' | 'incidents';

/** What the History page shows, exactly as its URL says (`/history?service=…&kind=a,b&range=7d`). */
export interface HistoryFilters {
  view: HistoryView;
  /** '' = every service. */
  service: string;
  /** '' = every instance. */
  instance: string;
  /** [] = every kind; otherwise in EVENT_KINDS order, without repeats. */
  kinds: EventKind[];
  range: HistoryRange;
  /** ISO; only with range 'custom' ('' = open). */
  since: string;
  /** ISO; only with range 'custom' ('' = open). */
  until: string;
  /** The incident shown in detail ('' = none). */
  incident: string;
}

export const DEFAULT_FILTERS: HistoryFilters = { view: 'timeline', service: '', instance: '', kinds: [], range: DEFAULT_RANGE, since: '', until: '', incident: '' };

/** The API caps service and instance filters at 256 characters. */
const MAX_NAME = 256;

const isPreset = (value: string | null): value is RangePreset => value !== null && Object.hasOwn(RANGE_PRESETS, value);

/** A canonical ISO time, or '' for anything unparseable. */
export function canonicalIso(value: string | null): string {
  if (value === null || value.trim() === '') return '';
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** Known kinds named in a comma-separated list, in EVENT_KINDS order; unknown names are dropped. */
export function parseKinds(value: string | null): EventKind[] {
  if (!value) return [];
  const named = new Set(value.split(','));
  return EVENT_KINDS.filter((kind) => named.has(kind));
}

/** Reads filters from URL parameters; anything malformed falls back to its default. */
export function parseHistoryFilters(get: (name: string) => string | null): HistoryFilters {
  const since = canonicalIso(get('since'));
  const until = canonicalIso(get('until'));
  const range = get('range');
  // A hand-written link with since/until but no range means a custom range.
  const custom = range === 'custom' || (!isPreset(range) && (since !== '' || until !== ''));
  return {
    view: get('view') === 'incidents' ? 'incidents' : 'timeline',
    service: (get('service') ?? '').slice(0, MAX_NAME),
    instance: (get('instance') ?? '').slice(0, MAX_NAME),
    kinds: parseKinds(get('kind')),
    range: custom ? 'custom' : isPreset(range) ? range : DEFAULT_RANGE,
    since: custom ? since : '',
    until: custom ? until : '',
    incident: get('incident') ?? '',
  };
}

/** URL parameters for filters, defaults left out, in a stable order. */
export function historyFiltersToParams(filters: HistoryFilters): [string, string][] {
  const params: [string, string][] = [];
  if (filters.view !== 'timeline') params.push(['view', filters.view]);
  if (filters.service) params.push(['service', filters.service]);
  if (filters.instance) params.push(['instance', filters.instance]);
  const kinds = parseKinds(filters.kinds.join(','));
  if (kinds.length > 0 && kinds.length < EVENT_KINDS.length) params.push(['kind', kinds.join(',')]);
  if (filters.range !== DEFAULT_RANGE) params.push(['range', filters.range]);
  if (filters.range === 'custom') {
    if (filters.since) params.push(['since', filters.since]);
    if (filters.until) params.push(['until', filters.until]);
  }
  if (filters.incident) params.push(['incident', filters.incident]);
  return params;
}

export function historySearch(filters: HistoryFilters): string {
  return new URLSearchParams(historyFiltersToParams(filters)).toString();
}

/** The time range as asked for: a lookback from "now", or fixed bounds. */
export type RangeSpec = { preset: RangePreset } | { since?: string; until?: string };

/** Which events a list shows, before "now" is fixed. */
export interface EventScope {
  service?: string;
  instance?: string;
  kinds?: readonly EventKind[];
  range: RangeSpec;
}

/** Which events a list shows, with its time range fixed: what the events API is asked. */
export interface EventFilter {
  service?: string;
  instance?: string;
  kinds?: readonly EventKind[];
  /** Inclusive, ISO. */
  since?: string;
  /** Exclusive, ISO. */
  until?: string;
}

export function rangeSpecOf(filters: Pick<HistoryFilters, 'range' | 'since' | 'until'>): RangeSpec {
  if (filters.range !== 'custom') return { preset: filters.range };
  return { ...(filters.since ? { since: filters.since } : {}), ...(filters.until ? { until: filters.until } : {}) };
}

export function scopeOf(filters: HistoryFilters): EventScope {
  return {
    ...(filters.service ? { service: filters.service } : {}),
    ...(filters.instance ? { instance: filters.instance } : {}),
    ...(filters.kinds.length > 0 ? { kinds: filters.kinds } : {}),
    range: rangeSpecOf(filters),
  };
}

/** Fixes a scope's range at `nowMs`: a preset becomes `since = now − lookback`, open-ended (live events keep matching). */
export function resolveScope(scope: EventScope, nowMs: number): EventFilter {
  const { range, ...rest } = scope;
  if ('preset' in range) return { ...rest, since: new Date(nowMs - RANGE_PRESETS[range.preset]).toISOString() };
  return { ...rest, ...(range.since ? { since: range.since } : {}), ...(range.until ? { until: range.until } : {}) };
}

/** True when a custom range cannot hold anything (since at or after until). */
export function isEmptyRange(range: RangeSpec): boolean {
  return !('preset' in range) && range.since !== undefined && range.until !== undefined && Date.parse(range.since) >= Date.parse(range.until);
}

/** The filter as events/export API parameters (no limit, no cursor). */
export function eventFilterParams(filter: EventFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.service) params.set('service', filter.service);
  if (filter.instance) params.set('instance', filter.instance);
  if (filter.kinds && filter.kinds.length > 0) params.set('kind', filter.kinds.join(','));
  if (filter.since) params.set('since', filter.since);
  if (filter.until) params.set('until', filter.until);
  return params;
}

export function eventsUrl(filter: EventFilter, page: { limit: number; cursor?: string | null }): string {
  const params = eventFilterParams(filter);
  params.set('limit', String(page.limit));
  if (page.cursor) params.set('cursor', page.cursor);
  return `/api/v1/events?${params.toString()}`;
}

export function exportUrl(filter: EventFilter, format: 'csv' | 'json'): string {
  const params = eventFilterParams(filter);
  params.set('format', format);
  return `/api/v1/events/export?${params.toString()}`;
}

/** Whether an event (e.g. one streamed live) belongs in a list with this filter; mirrors the events API. */
export function matchesFilter(event: HistoryEvent, filter: EventFilter): boolean {
  if (filter.service && event.service !== filter.service) return false;
  if (filter.instance && event.instance !== filter.instance) return false;
  if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  const atMs = Date.parse(event.at);
  if (filter.since && atMs < Date.parse(filter.since)) return false;
  if (filter.until && atMs >= Date.parse(filter.until)) return false;
  return true;
}

/** A failure: an instance turning critical, or vanishing because its lease expired (what opens incidents). */
export function isFailureEvent(event: HistoryEvent): boolean {
  const signal = failureSignal(event, false);
  return signal === 'start' || signal === 'point';
}

/**
 * A service page's recent failures from its failure-kind rows (`FAILURE_KINDS`, any order kept):
 * its failures (`isFailureEvent`), a loss once — its `instance.lost` row, which says why — not
 * also its key's lease-expiry deregistration (`lossDepartures`), which beside it read as someone
 * removing the instance on purpose. A lease that ended with no loss recorded (a graceful shutdown,
 * a departure still being checked) is still listed as its deregistration.
 *
 * `older` are the pairing rows just past the window (`PAIRING_KINDS`, `PAIRING_MARGIN`): a crash's
 * loss is stamped at its first failed probe, seconds before its deregistration, so a window that
 * ends between the two would list the departure as a lease that ended. They pair only; a loss among
 * them is listed when its deregistration is in the window, in its place, newest first.
 */
export function failureList(events: readonly HistoryEvent[], older: readonly HistoryEvent[] = []): HistoryEvent[] {
  const pairs = lossPairs(older.length === 0 ? events : [...events, ...older]);
  const listed = events.filter((event) => isFailureEvent(event) && !pairs.has(event.id));
  if (older.length === 0) return listed;
  const inWindow = new Set(events.map((event) => event.id));
  const pastWindow = [...pairs].filter(([departure, loss]) => inWindow.has(departure) && !inWindow.has(loss.id)).map(([, loss]) => loss);
  return pastWindow.length === 0 ? listed : [...listed, ...pastWindow].sort(compareNewestFirst);
}

/** The rows a loss pairs with its deregistration from (`lossPairs`): what is read past the window. */
export const PAIRING_KINDS: readonly EventKind[] = ['instance.deregistered', 'instance.lost'];
const isPairingRow = (event: HistoryEvent): boolean => PAIRING_KINDS.includes(event.kind);

/**
 * Pairing rows read past the window: a crash's loss and its deregistration are a lease's TTL apart
 * (seconds), and only the service's departures come between them — 100 holds a mass departure of
 * 50 instances at once.
 */
export const PAIRING_MARGIN = 100;

/** A service page's failure rows: the window failures are listed from, and the pairing rows just past it. */
export interface FailureWindow {
  /** Newest first, at most the window's size. */
  rows: readonly HistoryEvent[];
  /** Newest first, all older than `rows`, at most `PAIRING_MARGIN`. */
  older: readonly HistoryEvent[];
}

/** The window with pairing rows read past it (a page's margin) added to `older`: only the service's, and only those older than every row of the window. */
export function withPairingRows(window: FailureWindow, pairing: readonly HistoryEvent[], service: string): FailureWindow {
  const oldest = window.rows[window.rows.length - 1];
  const past = pairing.filter((event) => event.service === service && isPairingRow(event) && (oldest === undefined || compareNewestFirst(oldest, event) < 0));
  return past.length === 0 ? window : { ...window, older: mergeEvents(window.older, past, true).slice(0, PAIRING_MARGIN) };
}

/** `mergeFailureRows` into the window; the pairing rows it pushes out are kept in `older`. */
export function mergeFailureWindow(window: FailureWindow, incoming: readonly HistoryEvent[], service: string, keep: number): FailureWindow {
  const merged = mergeFailureRows(window.rows, incoming, service, Number.POSITIVE_INFINITY);
  if (merged === window.rows && merged.length <= keep) return window;
  const pushedOut = merged.slice(keep).filter(isPairingRow);
  return { rows: merged.slice(0, keep), older: pushedOut.length === 0 ? window.older : mergeEvents(window.older, pushedOut, true).slice(0, PAIRING_MARGIN) };
}

/**
 * A row a `failureList` reads: a failure, or any deregistration — a loss's own may be no failure
 * (etcd did not answer on its lease) and, missing, the loss would take a later departure of the
 * instance for it. What a service's failures feed sends (lib/server/live-history.ts).
 */
export const isFailureListRow = (event: HistoryEvent): boolean => isFailureEvent(event) || event.kind === 'instance.deregistered';

/**
 * `rows` (newest first, at most `keep`) with the `incoming` rows of `service` a `failureList` reads
 * merged in (`isFailureListRow`), whether they come from a page of the API or live from the history feed, in any order.
 */
export function mergeFailureRows(rows: readonly HistoryEvent[], incoming: readonly HistoryEvent[], service: string, keep: number): readonly HistoryEvent[] {
  const kept = incoming.filter((event) => event.service === service && isFailureListRow(event));
  return kept.length === 0 ? rows : mergeEvents(rows, kept, true).slice(0, keep);
}

/** The kinds a failure can be, for asking the API (then `mergeFailureRows` and `failureList` on what comes back). */
export const FAILURE_KINDS: readonly EventKind[] = ['health.changed', 'instance.deregistered', 'instance.lost'];
