import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from './events';
import type { HistoryEvent } from './events';
import {
  DEFAULT_FILTERS,
  eventFilterParams,
  eventsUrl,
  exportUrl,
  historySearch,
  isEmptyRange,
  isFailureEvent,
  matchesFilter,
  parseHistoryFilters,
  resolveScope,
  scopeOf,
} from './history-query';

const from = (search: string) => {
  const params = new URLSearchParams(search);
  return parseHistoryFilters((name) => params.get(name));
};

describe('parseHistoryFilters / historySearch', () => {
  it('defaults to the last 24 hours of everything', () => {
    expect(from('')).toEqual(DEFAULT_FILTERS);
    expect(historySearch(DEFAULT_FILTERS)).toBe('');
  });
  it('round-trips every filter', () => {
    const search = 'view=incidents&service=a+b%2Fc&instance=i-1&kind=instance.deregistered%2Chealth.changed&range=7d&incident=a%3A3';
    const filters = from(search);
    expect(filters).toMatchObject({ view: 'incidents', service: 'a b/c', instance: 'i-1', kinds: ['instance.deregistered', 'health.changed'], range: '7d', incident: 'a:3' });
    expect(from(historySearch(filters))).toEqual(filters);
  });
  it('keeps kinds in a canonical order and drops unknown ones', () => {
    expect(from('kind=health.changed,bogus,instance.registered').kinds).toEqual(['instance.registered', 'health.changed']);
  });
  it('reads a custom range, canonicalising the times', () => {
    const filters = from('range=custom&since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00%2B01:00');
    expect(filters).toMatchObject({ range: 'custom', since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T23:00:00.000Z' });
    expect(from(historySearch(filters))).toEqual(filters);
  });
  it('treats since/until without a range as custom, and ignores them with a preset', () => {
    expect(from('since=2026-01-01T00:00:00Z').range).toBe('custom');
    expect(from('range=1h&since=2026-01-01T00:00:00Z')).toMatchObject({ range: '1h', since: '' });
  });
  it('falls back on malformed values', () => {
    expect(from('range=2y&view=nope&since=yesterday')).toMatchObject({ range: '24h', view: 'timeline', since: '' });
    expect(from(`service=${'x'.repeat(300)}`).service).toHaveLength(256);
  });
  it('leaves out a kind list naming every kind', () => {
    expect(historySearch({ ...DEFAULT_FILTERS, kinds: [...EVENT_KINDS] })).toBe('');
    expect(historySearch({ ...DEFAULT_FILTERS, kinds: EVENT_KINDS.slice(1) })).not.toBe('');
  });
});

describe('resolveScope', () => {
  const now = Date.UTC(2026, 0, 2);
  it('fixes a preset as an open-ended lookback', () => {
    expect(resolveScope(scopeOf({ ...DEFAULT_FILTERS, service: 's', range: '1h' }), now)).toEqual({ service: 's', since: '2026-01-01T23:00:00.000Z' });
  });
  it('keeps custom bounds', () => {
    const filters = { ...DEFAULT_FILTERS, range: 'custom' as const, since: '2026-01-01T00:00:00.000Z', until: '' };
    expect(resolveScope(scopeOf(filters), now)).toEqual({ since: '2026-01-01T00:00:00.000Z' });
  });
  it('spots a custom range that cannot hold anything', () => {
    expect(isEmptyRange({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(isEmptyRange({ since: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(isEmptyRange({ preset: '1h' })).toBe(false);
  });
});

describe('API URLs', () => {
  const filter = { service: 'a&b', kinds: ['health.changed', 'history.gap'] as const, since: '2026-01-01T00:00:00.000Z' };
  it('encodes filters as the events API expects', () => {
    expect(eventFilterParams(filter).toString()).toBe('service=a%26b&kind=health.changed%2Chistory.gap&since=2026-01-01T00%3A00%3A00.000Z');
    expect(eventsUrl(filter, { limit: 500, cursor: '17:3' })).toMatch(/^\/api\/v1\/events\?service=a%26b&.*&limit=500&cursor=17%3A3$/);
    expect(exportUrl({}, 'json')).toBe('/api/v1/events/export?format=json');
  });
});

describe('matchesFilter', () => {
  const event: HistoryEvent = { id: 1, at: '2026-01-01T12:00:00.000Z', kind: 'instance.deregistered', service: 'users', instance: 'u-1', detail: 'lease 7 expired' };
  it('matches like the API filters', () => {
    expect(matchesFilter(event, {})).toBe(true);
    expect(matchesFilter(event, { service: 'users', instance: 'u-1', kinds: ['instance.deregistered'] })).toBe(true);
    expect(matchesFilter(event, { service: 'orders' })).toBe(false);
    expect(matchesFilter(event, { instance: 'u-2' })).toBe(false);
    expect(matchesFilter(event, { kinds: ['health.changed'] })).toBe(false);
    expect(matchesFilter({ ...event, service: undefined }, { service: 'users' })).toBe(false);
  });
  it('treats since as inclusive and until as exclusive', () => {
    expect(matchesFilter(event, { since: event.at })).toBe(true);
    expect(matchesFilter(event, { until: event.at })).toBe(false);
    expect(matchesFilter(event, { until: '2026-01-01T12:00:00.001Z' })).toBe(true);
  });
});

describe('isFailureEvent', () => {
  const base = { id: 1, at: '2026-01-01T00:00:00Z', service: 's', instance: 'i', detail: '' };
  it('counts turning critical and lease expiry', () => {
    expect(isFailureEvent({ ...base, kind: 'health.changed', from: 'passing', to: 'critical' })).toBe(true);
    expect(isFailureEvent({ ...base, kind: 'instance.deregistered', detail: 'lease 694d9a1b expired' })).toBe(true);
  });
  it('ignores recoveries, warnings and orderly deregistration', () => {
    expect(isFailureEvent({ ...base, kind: 'health.changed', from: 'critical', to: 'passing' })).toBe(false);
    expect(isFailureEvent({ ...base, kind: 'health.changed', from: 'passing', to: 'warning' })).toBe(false);
    expect(isFailureEvent({ ...base, kind: 'instance.deregistered', detail: 'key deleted' })).toBe(false);
  });
});
