import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from './events';
import type { HistoryEvent } from './events';
import {
  DEFAULT_FILTERS,
  eventFilterParams,
  eventsUrl,
  exportUrl,
  failureList,
  mergeFailureRows,
  mergeFailureWindow,
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

describe('failureList (a service page\u2019s recent failures)', () => {
  // payments' rows as the demo's service-down scenario wrote them (2026-12-07, `--scenario service-down
  // --target payments`, GET /api/v1/events, newest first): both instances killed, each lost from its
  // first failed probe (no probe verdict turned it critical first), then their keys' leases ended.
  const crash: HistoryEvent[] = [
    { id: 71, at: '2026-12-07T03:59:44.441Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42157', detail: 'lease 7017349628100375884 ended (revoked or expired)' },
    { id: 69, at: '2026-12-07T03:59:44.439Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42479', detail: 'lease 7017349628100375882 ended (revoked or expired)' },
    { id: 70, at: '2026-12-07T03:59:41.648Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42479', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:41 UTC; last probe: connection refused' },
    { id: 72, at: '2026-12-07T03:59:40.824Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42157', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:40 UTC; last probe: connection refused' },
    { id: 68, at: '2026-12-07T03:59:21.643Z', kind: 'health.changed', service: 'payments', instance: '127.0.0.1:42479', from: 'unknown', to: 'passing', detail: 'probe OK' },
  ];

  it('lists a crashed instance once, as its loss (which says why), not also as a deregistration', () => {
    expect(failureList(crash).map((event) => event.id)).toEqual([70, 72]);
  });

  it('still lists a lease that ended with no loss recorded (a graceful shutdown, a departure still being checked)', () => {
    const graceful = crash.filter((event) => event.id !== 70);
    expect(failureList(graceful).map((event) => event.id)).toEqual([69, 72]);
  });

  it('lists an instance cut off from etcd as its deregistration while checked, then once, as its loss, once found serving', () => {
    // `--scenario lose-etcd`: its lease ended while its probes passed; its check found it serving 20 s later.
    const departure: HistoryEvent = { id: 169, at: '2026-12-07T04:01:33.149Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:45625', detail: 'lease 3734225499776043598 ended (revoked or expired)' };
    const loss: HistoryEvent = { id: 170, at: '2026-12-07T04:01:53.157Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:45625', from: 'passing', to: 'critical', detail: 'lease expired at 04:01:33 UTC while it still served: it answered probes 20 s later, but is out of discovery' };
    expect(failureList([departure]).map((event) => event.id)).toEqual([169]);
    expect(failureList([loss, departure]).map((event) => event.id)).toEqual([170]);
  });
});

describe('mergeFailureRows (what a service page\u2019s recent failures are read from)', () => {
  // A crash whose lease verdict etcd did not give, then the same instance back and, a minute later, shut down
  // gracefully (its check found it stopped: no loss). Live, row by row, as the history feed brings them.
  const loss: HistoryEvent = { id: 500, at: '2026-12-07T04:20:00.000Z', kind: 'instance.lost', service: 'payments', instance: 'payments-1', from: 'passing', to: 'critical', detail: 'lease ended at 04:20:04 UTC after probes failed from 04:20:00 UTC; last probe: connection refused' };
  const itsDeparture: HistoryEvent = { id: 501, at: '2026-12-07T04:20:04.010Z', kind: 'instance.deregistered', service: 'payments', instance: 'payments-1', detail: 'key deleted or lease 5 ended (etcd did not answer which)' };
  const back: HistoryEvent = { id: 502, at: '2026-12-07T04:20:10.000Z', kind: 'instance.registered', service: 'payments', instance: 'payments-1', detail: 'registered' };
  const shutdown: HistoryEvent = { id: 503, at: '2026-12-07T04:21:10.000Z', kind: 'instance.deregistered', service: 'payments', instance: 'payments-1', detail: 'lease 6 ended (revoked or expired)' };
  const rows = (arrivals: readonly HistoryEvent[][]) => arrivals.reduce<readonly HistoryEvent[]>((current, incoming) => mergeFailureRows(current, incoming, 'payments', 1_000), []);

  it('lists the same failures from rows arriving live as from the same rows in one page', () => {
    const page = rows([[shutdown, back, itsDeparture, loss]]);
    const live = rows([[loss], [itsDeparture], [back], [shutdown]]);
    expect(failureList(page).map((event) => event.id)).toEqual([503, 500]);
    expect(failureList(live).map((event) => event.id)).toEqual([503, 500]);
  });

  it('keeps only the service\u2019s rows, newest first, at most as many as asked', () => {
    const other = { ...shutdown, id: 504, service: 'orders' };
    expect(rows([[loss, other], [shutdown]]).map((event) => event.id)).toEqual([503, 500]);
    expect(mergeFailureRows([shutdown], [loss, itsDeparture], 'payments', 2).map((event) => event.id)).toEqual([503, 501]);
  });
});

describe('a loss and its deregistration either side of the recent failures\u2019 window', () => {
  // payments-1 crashed as in `--scenario service-down` (its loss stamped at its first failed probe,
  // its key's lease ended 3.6 s later: rows as lib/server/lost/tracker.ts and the registry write
  // them), then another instance flapped warning ↔ passing: health changes no failure, which fill the window.
  const loss: HistoryEvent = { id: 70, at: '2026-12-07T03:59:41.648Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42479', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:41 UTC; last probe: connection refused' };
  const itsDeparture: HistoryEvent = { id: 69, at: '2026-12-07T03:59:44.439Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42479', detail: 'lease 7017349628100375882 ended (revoked or expired)' };
  const flaps = (count: number, firstId: number): HistoryEvent[] =>
    Array.from({ length: count }, (_, i) => ({ id: firstId + i, at: new Date(Date.parse('2026-12-07T04:00:00.000Z') + i * 5_000).toISOString(), kind: 'health.changed' as const, service: 'payments', instance: '127.0.0.1:40001', from: i % 2 ? 'warning' : 'passing', to: i % 2 ? 'passing' : 'warning', detail: 'p95 1200 ms (threshold 1000 ms)' })).reverse();

  it('lists the loss, not a lease that ended, when the window ends at the deregistration and its loss is just past it', () => {
    // The events API, newest first: 999 flaps and the deregistration fill the 1,000 rows; the loss is the first row past them.
    const window = [...flaps(999, 100), itsDeparture];
    expect(window).toHaveLength(1_000);
    expect(failureList(window, [loss]).map((event) => event.id)).toEqual([70]);
  });

  it('keeps pairing with rows that live rows push out of the window', () => {
    const full = mergeFailureWindow({ rows: [], older: [] }, [itsDeparture, loss], 'payments', 2);
    const critical: HistoryEvent = { id: 100, at: '2026-12-07T04:00:00.000Z', kind: 'health.changed', service: 'payments', instance: '127.0.0.1:40001', from: 'passing', to: 'critical', detail: 'probe failed 3 times: connection refused' };
    const pushed = mergeFailureWindow(full, [critical], 'payments', 2);
    expect(pushed.rows.map((event) => event.id)).toEqual([100, 69]);
    expect(failureList(pushed.rows, pushed.older).map((event) => event.id)).toEqual([100, 70]);
  });

  it('still lists a lease that ended with no loss recorded at the window\u2019s edge', () => {
    expect(failureList([...flaps(999, 100), itsDeparture], []).map((event) => event.id)).toEqual([69]);
  });
});
