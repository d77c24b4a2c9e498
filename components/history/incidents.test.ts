import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { deriveIncidents, type Incident } from '@/lib/model/incidents';
import { formatDuration } from '@/lib/model/duration';
import { formatAgo } from '@/lib/client/formatTime';
import { firstSignLine, incidentFlapping, incidentRange, mttrRows, ongoingForMs, peakLabel, upstreamLead } from './incidents';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const incident = (service: string, durationMs: number | null): Incident => ({
  id: `${service}:${Math.random()}`,
  service,
  openedAt: '2026-01-01T00:00:00.000Z',
  closedAt: durationMs === null ? null : new Date(Date.parse('2026-01-01T00:00:00.000Z') + durationMs).toISOString(),
  closedBy: durationMs === null ? null : 'recovery',
  durationMs,
  instances: ['i-1'],
  cause: 'HTTP 503',
  failures: 1,
  peakFailing: 1,
  firstSign: null,
  upstream: null,
});

describe('mttrRows', () => {
  it('counts incidents and open ones per service, open first', () => {
    const rows = mttrRows([incident('a', 1_000), incident('b', null), incident('a', 3_000)], { a: 2_000, b: null });
    expect(rows).toEqual([
      { service: 'b', incidents: 1, ongoing: 1, mttrMs: null },
      { service: 'a', incidents: 2, ongoing: 0, mttrMs: 2_000 },
    ]);
  });
  it('keeps services known only from MTTR (incidents beyond the page)', () => {
    expect(mttrRows([], { c: 5_000, d: null })).toEqual([{ service: 'c', incidents: 0, ongoing: 0, mttrMs: 5_000 }]);
  });
  it('reads MTTR of services named like Object.prototype members as data (the record is parsed JSON)', () => {
    const mttrMs = JSON.parse('{"__proto__":4000,"toString":null}') as Record<string, number | null>;
    const rows = mttrRows([incident('__proto__', 4_000), incident('constructor', null), incident('toString', null)], mttrMs);
    expect(rows).toEqual([
      { service: 'constructor', incidents: 1, ongoing: 1, mttrMs: null },
      { service: 'toString', incidents: 1, ongoing: 1, mttrMs: null },
      { service: '__proto__', incidents: 1, ongoing: 0, mttrMs: 4_000 },
    ]);
  });
});

describe('incidentRange', () => {
  it('includes the closing event', () => {
    expect(incidentRange({ openedAt: '2026-01-01T00:00:00.000Z', closedAt: '2026-01-01T00:05:00.000Z', firstSign: null })).toEqual({
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-01T00:05:00.001Z',
    });
    expect(incidentRange({ openedAt: '2026-01-01T00:00:00.000Z', closedAt: null, firstSign: null })).toEqual({ since: '2026-01-01T00:00:00.000Z' });
  });
  it('starts at its first sign, so the warning that led into it is among its events', () => {
    const firstSign = { at: '2025-12-31T23:59:40.000Z', instance: 'a', cause: 'error rate 9 %' };
    expect(incidentRange({ openedAt: '2026-01-01T00:00:00.000Z', closedAt: null, firstSign })).toEqual({ since: '2025-12-31T23:59:40.000Z' });
  });
});

describe('firstSignLine', () => {
  it('says how long before the first failure the warning began, where and why', () => {
    const sign = { at: '2026-01-01T00:00:00.000Z', instance: 'api-gateway-3', cause: 'error rate 10 % over 30 s (threshold 5.0 %)' };
    expect(firstSignLine({ openedAt: '2026-01-01T00:00:15.000Z', firstSign: sign })).toBe('First sign 15 s before: api-gateway-3 warning, error rate 10 % over 30 s (threshold 5.0 %)');
    expect(firstSignLine({ openedAt: '2026-01-01T00:00:15.000Z', firstSign: null })).toBeNull();
  });
});

describe('upstreamLead', () => {
  it('says how long before this incident its upstream opened', () => {
    expect(upstreamLead({ openedAt: '2026-01-01T00:00:14.000Z', upstream: { service: 'inventory', id: 'inventory:1', openedAt: '2026-01-01T00:00:00.000Z' } })).toBe('14 s before');
    expect(upstreamLead({ openedAt: '2026-01-01T00:00:14.000Z', upstream: { service: 'inventory', id: 'inventory:1', openedAt: '2026-01-01T00:00:17.000Z' } })).toBe('3 s after');
    expect(upstreamLead({ openedAt: '2026-01-01T00:00:14.000Z', upstream: null })).toBeNull();
  });
});

describe('one clock for an incident’s figures', () => {
  it('says the lead between the two opening clocks the list shows: 14:39:32 and 14:39:44 are 12 s apart, whatever the milliseconds', () => {
    const upstream = { service: 'payments', id: 'payments:1', openedAt: '2026-12-06T14:39:32.900Z' };
    expect(upstreamLead({ openedAt: '2026-12-06T14:39:44.100Z', upstream })).toBe('12 s before');
    expect(upstreamLead({ openedAt: '2026-12-06T14:39:44.950Z', upstream: { ...upstream, openedAt: '2026-12-06T14:39:32.000Z' } })).toBe('12 s before');
    // Within one second of each other: the milliseconds, since the clocks alike say nothing.
    expect(upstreamLead({ openedAt: '2026-12-06T14:39:44.400Z', upstream: { ...upstream, openedAt: '2026-12-06T14:39:44.100Z' } })).toBe('300 ms before');
    expect(firstSignLine({ openedAt: '2026-12-06T14:39:44.100Z', firstSign: { at: '2026-12-06T14:39:29.900Z', instance: 'api-gateway-3', cause: 'error rate 10 %' } })).toBe('First sign 15 s before: api-gateway-3 warning, error rate 10 %');
  });

  it('has an open incident ongoing for as long as its opening was ago', () => {
    const openedAt = '2026-12-06T14:39:44.900Z';
    for (const nowIso of ['2026-12-06T14:39:56.100Z', '2026-12-06T14:39:56.950Z', '2026-12-06T14:40:30.000Z', '2026-12-06T14:39:52.000Z']) {
      const now = Date.parse(nowIso);
      expect(`${formatDuration(ongoingForMs(openedAt, now))} ago`).toBe(formatAgo(openedAt, now));
    }
    // Past a minute, to the minute (it does not tick every second).
    expect(ongoingForMs(openedAt, Date.parse('2026-12-06T14:42:10.000Z'))).toBe(120_000);
  });

  it('gives the peak its unit', () => {
    expect(peakLabel(1)).toBe('1 instance');
    expect(peakLabel(3)).toBe('3 instances');
  });
});

describe('incidentFlapping', () => {
  it('says which instance flapped in an incident, with its most changes into and out of critical within one window; nothing when none did', () => {
    // The demo's `flapping` on api-gateway-3: critical after 3 failed probes, passing after 2, 15 s each way.
    const events: HistoryEvent[] = [0, 1, 2, 3].flatMap((i) => [
      { id: 2 * i + 1, at: new Date(T0 + i * 30_000).toISOString(), kind: 'health.changed', service: 'api-gateway', instance: 'api-gateway-3', from: 'passing', to: 'critical', detail: 'HTTP 503' },
      { id: 2 * i + 2, at: new Date(T0 + i * 30_000 + 15_000).toISOString(), kind: 'health.changed', service: 'api-gateway', instance: 'api-gateway-3', from: 'critical', to: 'passing', detail: 'probe OK' },
    ]);
    expect(deriveIncidents(events, { now: T0 + 600_000 }).map(incidentFlapping)).toEqual(['api-gateway-3: 8 changes into and out of critical within 10 min']);
    expect(deriveIncidents(events.slice(0, 2), { now: T0 + 600_000 }).map(incidentFlapping)).toEqual([null]);
  });
});
