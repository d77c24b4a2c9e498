import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, type HistoryEvent } from './events';
import { STATUSES } from './instance';
import { adjacency } from './topology/graph';
import { deriveIncidents, failureSignal, isLeaseExpiry, mayChangeIncidents, mttrByService, newestFirst, recentCriticalChanges, UPSTREAM_LAG_MS, upstreamIndex, withUpstream, type Incident, type RecordedCriticalChanges } from './incidents';
import type { Adjacency } from './topology/graph';
import { dependenciesOf } from './incidents';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const MIN = 60_000;
const iso = (minute: number): string => new Date(T0 + minute * MIN).toISOString();

type Spec = Omit<HistoryEvent, 'id' | 'at'>;
const crit = (instance: string, service = 'users'): Spec => ({ kind: 'health.changed', service, instance, from: 'passing', to: 'critical', detail: 'HTTP 503' });
const healthy = (instance: string, to = 'passing', service = 'users'): Spec => ({ kind: 'health.changed', service, instance, from: 'critical', to, detail: 'ok' });
const expired = (instance: string, service = 'users'): Spec => ({ kind: 'instance.deregistered', service, instance, detail: 'lease 77 expired' });
const deleted = (instance: string): Spec => ({ kind: 'instance.deregistered', service: 'users', instance, detail: 'key deleted' });
const goneUnwatched = (instance: string): Spec => ({ kind: 'instance.deregistered', service: 'users', instance, detail: 'gone while Switchyard was not watching' });
const registered = (instance: string): Spec => ({ kind: 'instance.registered', service: 'users', instance, detail: 'registered' });
/** An `instance.lost` row as the lost tracker writes it: found still serving after its key went (`stillServingCause`), or crashed. */
const lostServing = (instance: string): Spec => ({ kind: 'instance.lost', service: 'users', instance, from: 'passing', to: 'critical', detail: 'lease expired at 10:00:00 UTC while it still served: it answered probes 20 s later, but is out of discovery' });
const lostCrashed = (instance: string): Spec => ({ kind: 'instance.lost', service: 'users', instance, from: 'critical', to: 'critical', detail: 'lease expired at 10:01:10 UTC after probes failed from 10:01:00 UTC; last probe: connection refused' });
const gap = (untilMinute: number): Spec => ({ kind: 'history.gap', detail: 'Switchyard was not running', until: iso(untilMinute) });

/** `[minute, event]` pairs → events with ids in order. */
const timeline = (entries: [number, Spec][]): HistoryEvent[] => entries.map(([minute, spec], index) => ({ id: index + 1, at: iso(minute), ...spec }));

/** The parts of an incident a case states, in minutes. */
interface Expected {
  service?: string;
  opened: number;
  closed: number | null;
  instances: string[];
  failures: number;
  peak: number;
}
const summarise = (incident: Incident): Expected => ({
  ...(incident.service === 'users' ? {} : { service: incident.service }),
  opened: (Date.parse(incident.openedAt) - T0) / MIN,
  closed: incident.closedAt === null ? null : (Date.parse(incident.closedAt) - T0) / MIN,
  instances: incident.instances,
  failures: incident.failures,
  peak: incident.peakFailing,
});

interface Case {
  name: string;
  events: [number, Spec][];
  now?: number;
  mergeGapMs?: number;
  expected: Expected[];
}

const cases: Case[] = [
  { name: 'one instance fails and recovers', events: [[0, crit('a')], [5, healthy('a')]], expected: [{ opened: 0, closed: 5, instances: ['a'], failures: 1, peak: 1 }] },
  {
    name: 'overlapping failures form one incident until the last recovers',
    events: [[0, crit('a')], [2, crit('b')], [4, healthy('a')], [6, healthy('b')]],
    expected: [{ opened: 0, closed: 6, instances: ['a', 'b'], failures: 2, peak: 2 }],
  },
  { name: 'an incident still open at the window end stays open', events: [[0, crit('a')]], now: 10, expected: [{ opened: 0, closed: null, instances: ['a'], failures: 1, peak: 1 }] },
  {
    name: 'overlapping failures with one still failing at the window end',
    events: [[0, crit('a')], [1, crit('b')], [3, healthy('a')]],
    now: 10,
    expected: [{ opened: 0, closed: null, instances: ['a', 'b'], failures: 2, peak: 2 }],
  },
  {
    name: 'a failure within the merge gap reopens the same incident',
    events: [[0, crit('a')], [1, healthy('a')], [3, crit('a')], [4, healthy('a')]],
    expected: [{ opened: 0, closed: 4, instances: ['a'], failures: 2, peak: 1 }],
  },
  {
    name: 'failures further apart than the merge gap are separate incidents',
    events: [[0, crit('a')], [1, healthy('a')], [10, crit('b')], [11, healthy('b')]],
    expected: [
      { opened: 0, closed: 1, instances: ['a'], failures: 1, peak: 1 },
      { opened: 10, closed: 11, instances: ['b'], failures: 1, peak: 1 },
    ],
  },
  {
    name: 'a merge gap of 0 keeps back-to-back failures apart',
    events: [[0, crit('a')], [1, healthy('a')], [2, crit('a')], [3, healthy('a')]],
    mergeGapMs: 0,
    expected: [
      { opened: 0, closed: 1, instances: ['a'], failures: 1, peak: 1 },
      { opened: 2, closed: 3, instances: ['a'], failures: 1, peak: 1 },
    ],
  },
  { name: 'a healthy instance whose lease expired is a point incident', events: [[5, expired('a')]], expected: [{ opened: 5, closed: 5, instances: ['a'], failures: 1, peak: 1 }] },
  {
    name: 'vanishings close together make one point-only incident closed at the last point',
    events: [[0, expired('a')], [1, expired('b')]],
    expected: [{ opened: 0, closed: 1, instances: ['a', 'b'], failures: 2, peak: 1 }],
  },
  {
    name: 'a vanishing during another failure joins it without holding it open',
    events: [[0, crit('a')], [2, expired('b')], [5, healthy('a')]],
    expected: [{ opened: 0, closed: 5, instances: ['a', 'b'], failures: 2, peak: 2 }],
  },
  {
    name: 'a vanishing just after recovery extends the incident to that point',
    events: [[0, crit('a')], [3, healthy('a')], [4, expired('b')]],
    expected: [{ opened: 0, closed: 4, instances: ['a', 'b'], failures: 2, peak: 1 }],
  },
  {
    // Its key's lease ended while its probes passed (a point), then its check found it serving: one departure, one failure.
    name: 'a vanished instance found still serving is one failure, failing on from its loss',
    events: [[0, expired('a')], [0.5, lostServing('a')]],
    expected: [{ opened: 0, closed: null, instances: ['a'], failures: 1, peak: 1 }],
  },
  {
    // A mass departure queues its still-serving checks (256 at once, 20 s each): a verdict can come minutes after the vanishing.
    name: 'a vanished instance found still serving past the merge gap is still one failure, of the same incident',
    events: [[0, expired('a')], [13, lostServing('a')]],
    expected: [{ opened: 0, closed: null, instances: ['a'], failures: 1, peak: 1 }],
  },
  {
    name: 'a vanished instance found still serving once another incident opened fails in that one',
    events: [[0, expired('a')], [5, crit('b')], [6, lostServing('a')]],
    expected: [
      { opened: 0, closed: 0, instances: ['a'], failures: 1, peak: 1 },
      { opened: 5, closed: null, instances: ['b', 'a'], failures: 2, peak: 2 },
    ],
  },
  {
    name: 'a vanished instance back, then lost, is two failures (a new fault)',
    events: [[0, expired('a')], [0.5, registered('a')], [1, lostCrashed('a')]],
    expected: [{ opened: 0, closed: null, instances: ['a'], failures: 2, peak: 1 }],
  },
  { name: 'a failing instance whose lease expired stops failing (no second failure)', events: [[0, crit('a')], [3, expired('a')]], expected: [{ opened: 0, closed: 3, instances: ['a'], failures: 1, peak: 1 }] },
  { name: 'a deliberate deregistration of a healthy instance is no failure', events: [[0, deleted('a')], [1, goneUnwatched('b')]], expected: [] },
  { name: 'a failing instance gone while not watching stops failing', events: [[0, crit('a')], [7, goneUnwatched('a')]], expected: [{ opened: 0, closed: 7, instances: ['a'], failures: 1, peak: 1 }] },
  {
    name: 'a failing instance that re-registers fails on until it passes (a registration is no recovery)',
    events: [[0, crit('a')], [2, registered('a')], [3, healthy('a')]],
    expected: [{ opened: 0, closed: 3, instances: ['a'], failures: 1, peak: 1 }],
  },
  {
    name: 'warning is not failing; critical → warning is no recovery, passing is',
    events: [[0, healthy('a', 'warning')], [1, crit('a')], [4, healthy('a', 'warning')], [6, healthy('a')]],
    expected: [{ opened: 1, closed: 6, instances: ['a'], failures: 1, peak: 1 }],
  },
  { name: 'a recovery with no failure seen (window starts mid-failure) opens nothing', events: [[1, healthy('a')]], expected: [] },
  {
    name: 'services are independent',
    events: [[0, crit('a')], [1, crit('x', 'orders')], [2, healthy('a')], [5, healthy('x', 'passing', 'orders')]],
    expected: [
      { opened: 0, closed: 2, instances: ['a'], failures: 1, peak: 1 },
      { service: 'orders', opened: 1, closed: 5, instances: ['x'], failures: 1, peak: 1 },
    ],
  },
  {
    name: 'an incident open when a history gap starts stays open across it',
    events: [[0, crit('a')], [1, gap(30)], [31, healthy('a')]],
    expected: [{ opened: 0, closed: 31, instances: ['a'], failures: 1, peak: 1 }],
  },
  { name: 'events after now are ignored', events: [[0, crit('a')], [20, healthy('a')]], now: 10, expected: [{ opened: 0, closed: null, instances: ['a'], failures: 1, peak: 1 }] },
  { name: 'a repeated critical for a failing instance is not a second failure', events: [[0, crit('a')], [1, crit('a')], [2, healthy('a')]], expected: [{ opened: 0, closed: 2, instances: ['a'], failures: 1, peak: 1 }] },
];

describe('deriveIncidents', () => {
  it.each(cases)('$name', ({ events, now = 60, mergeGapMs, expected }) => {
    const incidents = deriveIncidents(timeline(events), { now: T0 + now * MIN, ...(mergeGapMs === undefined ? {} : { mergeGapMs }) });
    expect(incidents.map(summarise)).toEqual(expected);
  });

  it('reports the duration of closed incidents and null for open ones, with stable ids', () => {
    const events = timeline([[0, crit('a')], [5, healthy('a')], [20, crit('b')]]);
    const [closed, open] = deriveIncidents(events, { now: T0 + 30 * MIN });
    expect(closed).toMatchObject({ id: 'users:1', durationMs: 5 * MIN, closedAt: iso(5) });
    expect(open).toMatchObject({ id: 'users:3', durationMs: null, closedAt: null });
  });

  it('opens a probe failure\u2019s incident at the first failed probe of the streak that made it critical (firstFailedAt), not at its third', () => {
    const SEC = 1_000;
    // Probes every 5 s: failed at 14 s, 19 s and 24 s, critical at 24 s; passing again at 60 s.
    const events: HistoryEvent[] = [
      { id: 1, at: new Date(T0 + 24 * SEC).toISOString(), ...crit('a'), firstFailedAt: new Date(T0 + 14 * SEC).toISOString() },
      { id: 2, at: new Date(T0 + 60 * SEC).toISOString(), ...healthy('a') },
    ];
    const [incident, ...rest] = deriveIncidents(events, { now: T0 + 2 * MIN });
    expect(rest).toEqual([]);
    expect(incident).toMatchObject({ openedAt: new Date(T0 + 14 * SEC).toISOString(), closedAt: new Date(T0 + 60 * SEC).toISOString(), durationMs: 46 * SEC });
  });

  it('joins a failure whose streak began before the last incident closed to that incident, and never opens one after its own row', () => {
    const SEC = 1_000;
    const at = (second: number): string => new Date(T0 + second * SEC).toISOString();
    const events: HistoryEvent[] = [
      { id: 1, at: at(0), ...crit('a') },
      { id: 2, at: at(20), ...healthy('a') },
      // b's probes began failing at 15 s, while a was still failing: one incident, even with no merge gap.
      { id: 3, at: at(25), ...crit('b'), firstFailedAt: at(15) },
      { id: 4, at: at(40), ...healthy('b') },
      // A row saying its streak began after the row itself is not believed.
      { id: 5, at: at(300), ...crit('c'), firstFailedAt: at(310) },
    ];
    const incidents = deriveIncidents(events, { now: T0 + 10 * MIN, mergeGapMs: 0 });
    expect(incidents.map((incident) => [incident.openedAt, incident.closedAt, incident.instances])).toEqual([
      [at(0), at(40), ['a', 'b']],
      [at(300), null, ['c']],
    ]);
  });

  it('opens an incident at the first failed probe of a failure that joins it after it opened but began failing before (first sign re-read)', () => {
    const SEC = 1_000;
    const at = (second: number): string => new Date(T0 + second * SEC).toISOString();
    const events: HistoryEvent[] = [
      // a turns warning, then critical on its error rate (no probe streak: its own time)…
      { id: 1, at: at(3), kind: 'health.changed', service: 'users', instance: 'a', from: 'passing', to: 'warning', detail: 'error rate 8 %' },
      { id: 2, at: at(5), kind: 'health.changed', service: 'users', instance: 'a', from: 'warning', to: 'critical', detail: 'error rate 40 %' },
      // …while b's probes had failed since 1 s, critical at its third failure, 11 s.
      { id: 3, at: at(11), ...crit('b'), firstFailedAt: at(1) },
      { id: 4, at: at(30), ...healthy('a') },
      { id: 5, at: at(40), ...healthy('b') },
    ];
    const [incident, ...rest] = deriveIncidents(events, { now: T0 + 10 * MIN });
    expect(rest).toEqual([]);
    // b failed first: its cause is why the incident opened.
    expect(incident).toMatchObject({ id: 'users:2', openedAt: at(1), closedAt: at(40), durationMs: 39 * SEC, instances: ['b', 'a'], cause: 'HTTP 503', failures: 2 });
    // a's warning began after the incident did: no sign before it.
    expect(incident?.firstSign).toBeNull();
  });
});

describe('failureSignal', () => {
  it.each([
    { event: crit('a'), failing: false, signal: 'start' },
    { event: crit('a'), failing: true, signal: 'none' },
    { event: healthy('a', 'unknown'), failing: true, signal: 'stop' },
    { event: expired('a'), failing: false, signal: 'point' },
    { event: expired('a'), failing: true, signal: 'stop' },
    { event: deleted('a'), failing: false, signal: 'none' },
    { event: registered('a'), failing: true, signal: 'none' },
    { event: healthy('a', 'warning'), failing: true, signal: 'none' },
    { event: healthy('a'), failing: true, signal: 'stop' },
  ])('$event.kind ($event.detail) while failing=$failing → $signal', ({ event, failing, signal }) => {
    expect(failureSignal({ id: 1, at: iso(0), ...event }, failing)).toBe(signal);
  });

  it('recognises only the lifecycle lease-expiry detail', () => {
    expect(isLeaseExpiry('lease 694d7a1b2c expired')).toBe(true);
    expect(isLeaseExpiry('key deleted (lease still alive)')).toBe(false);
    expect(isLeaseExpiry('lease 694d7a1b2c ended (revoked or expired)')).toBe(true);
    expect(isLeaseExpiry('lease 694d7a1b2c revoked')).toBe(false);
  });
});

describe('mayChangeIncidents', () => {
  it('holds exactly for the events that open, join or close an incident in some state of their instance', () => {
    const events = EVENT_KINDS.flatMap((kind) => STATUSES.flatMap((from) => STATUSES.map((to): HistoryEvent => ({ id: 1, at: iso(0), kind, service: 'users', instance: 'a', from, to, detail: 'key deleted' }))));
    for (const event of events) {
      const signals = [false, true].flatMap((failing) => [false, true].map((lost) => failureSignal(event, failing, lost)));
      expect(mayChangeIncidents(event), `${event.kind} ${event.from ?? ''} → ${event.to ?? ''}`).toBe(signals.some((signal) => signal !== 'none'));
    }
  });
});

describe('an incident\u2019s cause', () => {
  it('is its first failure\u2019s, kept when more join or it reopens, without a response\u2019s first bytes', () => {
    const events = timeline([
      [0, { ...crit('a'), detail: 'HTTP 503 — response began: {"error":"db down"}' }],
      [1, { ...crit('b'), detail: 'timeout after 2 s' }],
      [2, healthy('a')],
      [3, healthy('b')],
      [4, { ...crit('b'), detail: 'connection refused' }],
    ]);
    expect(deriveIncidents(events, { now: T0 + 10 * MIN }).map((incident) => incident.cause)).toEqual(['HTTP 503']);
  });

  it('says an instance vanished, for a lease that ended before it turned critical — then why, unnested', () => {
    expect(deriveIncidents(timeline([[0, expired('a')]]), { now: T0 + 10 * MIN })[0]?.cause).toBe('vanished without turning critical first — lease 77 expired');
    const ended = deriveIncidents(timeline([[0, { ...expired('a'), detail: 'lease 77 ended (revoked or expired)' }]]), { now: T0 + 10 * MIN });
    expect(ended[0]?.cause).toBe('vanished without turning critical first — lease 77 ended (revoked or expired)');
  });

  it("gives the loss of a vanished instance found still serving as the cause, not its vanishing; another instance's loss does not replace it", () => {
    const stillServing = 'lease expired at 10:00:00 UTC while it still served: it answered probes 20 s later, but is out of discovery';
    const lost = (instance: string, detail: string): Spec => ({ kind: 'instance.lost', service: 'users', instance, from: 'passing', to: 'critical', detail });
    const [incident] = deriveIncidents(timeline([[0, expired('a')], [0.5, lost('a', stillServing)]]), { now: T0 + 10 * MIN });
    expect([incident?.cause, incident?.closedAt, incident?.instances]).toEqual([stillServing, null, ['a']]);
    const [other] = deriveIncidents(timeline([[0, expired('a')], [0.5, lost('b', 'lease expired at 10:00:30 UTC after probes failed')]]), { now: T0 + 10 * MIN });
    expect(other?.cause).toBe('vanished without turning critical first — lease 77 expired');
    // Back, then crashed within the merge gap: that loss is a new fault of the same incident, not why it opened.
    const [again] = deriveIncidents(timeline([[0, expired('a')], [0.5, registered('a')], [1, lost('a', 'lease expired at 10:01:00 UTC after probes failed')]]), { now: T0 + 10 * MIN });
    expect(again?.cause).toBe('vanished without turning critical first — lease 77 expired');
  });
});

describe('an incident\u2019s first sign', () => {
  const warn = (instance: string, detail = 'error rate 8 % over 30 s (threshold 5 %)', from = 'passing'): Spec => ({ kind: 'health.changed', service: 'users', instance, from, to: 'warning', detail });
  const worse = (instance: string): Spec => ({ kind: 'health.changed', service: 'users', instance, from: 'warning', to: 'critical', detail: 'error rate 40 % over 30 s (threshold 25 %)' });
  const signs = (entries: [number, Spec][], now = 60) =>
    deriveIncidents(timeline(entries), { now: T0 + now * MIN }).map((incident) => ({
      opened: (Date.parse(incident.openedAt) - T0) / MIN,
      sign: incident.firstSign && { at: (Date.parse(incident.firstSign.at) - T0) / MIN, instance: incident.firstSign.instance, cause: incident.firstSign.cause },
    }));

  it.each<{ name: string; events: [number, Spec][]; expected: ReturnType<typeof signs> }>([
    { name: 'the warning an instance turned critical from', events: [[0, warn('a')], [2, worse('a')]], expected: [{ opened: 2, sign: { at: 0, instance: 'a', cause: 'error rate 8 % over 30 s (threshold 5 %)' } }] },
    { name: 'another instance warning before this one failed outright', events: [[0, warn('b', 'p95 900 ms, 3.2× its usual')], [1, warn('c')], [3, crit('a')]], expected: [{ opened: 3, sign: { at: 0, instance: 'b', cause: 'p95 900 ms, 3.2× its usual' } }] },
    { name: 'none without a warning', events: [[0, crit('a')]], expected: [{ opened: 0, sign: null }] },
    { name: 'none from a warning that ended before', events: [[0, warn('b')], [1, healthy('b')], [3, crit('a')]], expected: [{ opened: 3, sign: null }] },
    { name: 'none from a warning whose instance left', events: [[0, warn('b')], [1, deleted('b')], [3, crit('a')]], expected: [{ opened: 3, sign: null }] },
    { name: 'none from a warning older than the lookback', events: [[0, warn('b')], [11, crit('a')]], expected: [{ opened: 11, sign: null }] },
    {
      name: 'kept when the incident reopens; a later incident has its own',
      events: [[0, warn('a')], [1, worse('a')], [2, healthy('a')], [3, crit('a')], [4, healthy('a')], [20, warn('b', 'timeout rate 9 %')], [21, crit('b')]],
      expected: [
        { opened: 1, sign: { at: 0, instance: 'a', cause: 'error rate 8 % over 30 s (threshold 5 %)' } },
        { opened: 21, sign: { at: 20, instance: 'b', cause: 'timeout rate 9 %' } },
      ],
    },
    { name: 'a warning from critical (recovering) is no sign of the next failure', events: [[0, crit('a')], [1, healthy('a', 'warning')], [2, healthy('a')], [10, crit('b')]], expected: [{ opened: 0, sign: null }, { opened: 10, sign: null }] },
  ])('$name', ({ events, expected }) => {
    expect(signs(events)).toEqual(expected);
  });
});

describe('an incident\u2019s upstream', () => {
  const at = (service: string, instance: string, minute: number, to = 'critical'): [number, Spec] => [minute, { kind: 'health.changed', service, instance, from: 'passing', to, detail: 'HTTP 503' }];
  /** `from>to` edges, caller → callee. */
  const graph = (spec: string) => adjacency(spec.split(' ').map((edge) => ({ from: edge.split('>')[0] ?? '', to: edge.split('>')[1] ?? '' })));
  const upstreams = (entries: [number, Spec][], edges: string, now = 60) =>
    Object.fromEntries(
      withUpstream(deriveIncidents(timeline(entries.sort((a, b) => a[0] - b[0])), { now: T0 + now * MIN }), graph(edges)).map((incident) => [
        `${incident.service}@${(Date.parse(incident.openedAt) - T0) / MIN}`,
        incident.upstream && `${incident.upstream.service}@${(Date.parse(incident.upstream.openedAt) - T0) / MIN}`,
      ]),
    );

  it.each<{ name: string; events: [number, Spec][]; edges: string; expected: Record<string, string | null> }>([
    { name: 'a caller failing after its callee names the callee', events: [at('inventory', 'i1', 0), at('orders', 'o1', 1)], edges: 'orders>inventory', expected: { 'inventory@0': null, 'orders@1': 'inventory@0' } },
    { name: 'a chain names its bottom, the earliest', events: [at('inventory', 'i1', 0), at('orders', 'o1', 1), at('web', 'w1', 2)], edges: 'web>orders orders>inventory', expected: { 'inventory@0': null, 'orders@1': 'inventory@0', 'web@2': 'inventory@0' } },
    { name: 'a callee failing long after its caller is not its upstream', events: [at('orders', 'o1', 0), at('inventory', 'i1', 1)], edges: 'orders>inventory', expected: { 'orders@0': null, 'inventory@1': null } },
    { name: 'a callee caught within the lag after its caller is its upstream', events: [at('orders', 'o1', 0), at('inventory', 'i1', 0.4)], edges: 'orders>inventory', expected: { 'orders@0': 'inventory@0.4', 'inventory@0.4': null } },
    { name: 'an unrelated service failing first is not named', events: [at('billing', 'b1', 0), at('orders', 'o1', 1)], edges: 'orders>inventory', expected: { 'billing@0': null, 'orders@1': null } },
    {
      name: 'a callee incident closed before the caller failed is not named',
      events: [at('inventory', 'i1', 0), at('inventory', 'i1', 1, 'passing'), at('orders', 'o1', 5)],
      edges: 'orders>inventory',
      expected: { 'inventory@0': null, 'orders@5': null },
    },
    { name: 'a cycle: the one that failed first is the other\u2019s upstream, even within the lag', events: [at('a', 'a1', 0), at('b', 'b1', 0.4)], edges: 'a>b b>a', expected: { 'a@0': null, 'b@0.4': 'a@0' } },
  ])('$name', ({ events, edges, expected }) => {
    expect(upstreams(events, edges)).toEqual(expected);
  });

  /** The definition, one pass over every candidate (what `withUpstream` did before its index). */
  const upstreamByDefinition = (incident: Incident, graph: Adjacency, among: readonly Incident[]): Incident['upstream'] => {
    const openedMs = Date.parse(incident.openedAt);
    let earliest: Incident | undefined;
    for (const service of dependenciesOf(graph, incident.service)) {
      for (const candidate of among.filter((other) => other.service === service)) {
        const candidateOpenedMs = Date.parse(candidate.openedAt);
        if (candidateOpenedMs > openedMs + UPSTREAM_LAG_MS || (candidate.closedAt !== null && Date.parse(candidate.closedAt) < openedMs)) continue;
        if (candidateOpenedMs > openedMs && dependenciesOf(graph, candidate.service).has(incident.service)) continue;
        if (!earliest || candidateOpenedMs < Date.parse(earliest.openedAt) || (candidateOpenedMs === Date.parse(earliest.openedAt) && candidate.service < earliest.service)) earliest = candidate;
      }
    }
    return earliest ? { service: earliest.service, id: earliest.id, openedAt: earliest.openedAt } : null;
  };

  it('is what one pass over every candidate finds, with the index added to in pieces and incidents in any order', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const services = ['a', 'b', 'c', 'd', 'e'];
    // Overlapping, open, tied and unordered incidents; half-minute steps put some within the lag.
    const all: Incident[] = Array.from({ length: 300 }, (_, index) => {
      const openedMs = T0 + random(240) * 30_000;
      const closedMs = random(5) === 0 ? null : openedMs + random(12) * 30_000;
      const service = services[random(services.length)] ?? 'a';
      return { id: `${service}-${index}`, service, openedAt: new Date(openedMs).toISOString(), closedAt: closedMs === null ? null : new Date(closedMs).toISOString(), closedBy: closedMs === null ? null : 'recovery', durationMs: closedMs === null ? null : closedMs - openedMs, instances: ['i'], cause: 'x', failures: 1, peakFailing: 1, firstSign: null, upstream: null };
    });
    for (const edges of ['a>b b>c c>d d>e', 'a>b b>a b>c c>d d>b e>a', 'a>c a>d a>e b>c b>d b>e']) {
      const map = graph(edges);
      const expected = all.map((incident) => ({ ...incident, upstream: upstreamByDefinition(incident, map, all) }));
      expect(expected.filter((incident) => incident.upstream !== null).length).toBeGreaterThan(20);
      expect(withUpstream(all, map)).toEqual(expected);
      const index = upstreamIndex(map);
      for (let start = 0; start < all.length; start += 70) index.add(all.slice(start, start + 70));
      expect(all.map(index.finder())).toEqual(expected);
    }
  });

  it('is looked for among all incidents when only a page of them is linked', () => {
    const all = deriveIncidents(timeline([at('inventory', 'i1', 0), at('orders', 'o1', 1)]), { now: T0 + 60 * MIN });
    const page = all.filter((incident) => incident.service === 'orders');
    expect(withUpstream(page, graph('orders>inventory'), all).map((incident) => [incident.service, incident.upstream?.service])).toEqual([['orders', 'inventory']]);
    expect(withUpstream(page, graph('orders>inventory')).map((incident) => incident.upstream)).toEqual([null]);
  });
});

describe('mttrByService', () => {
  const incident = (service: string, durationMs: number | null, openedMinute = 0): Incident => ({
    id: `${service}:${openedMinute}`,
    service,
    openedAt: iso(openedMinute),
    closedAt: durationMs === null ? null : new Date(T0 + openedMinute * MIN + durationMs).toISOString(),
    closedBy: durationMs === null ? null : 'recovery',
    durationMs,
    instances: ['a'],
    cause: 'HTTP 503',
    failures: 1,
    peakFailing: 1,
    firstSign: null,
    upstream: null,
  });

  it.each([
    { name: 'mean of closed incidents', incidents: [incident('users', 60_000), incident('users', 180_000)], expected: { users: 120_000 } },
    { name: 'open incidents do not count', incidents: [incident('users', 60_000), incident('users', null)], expected: { users: 60_000 } },
    { name: 'only open incidents → null', incidents: [incident('orders', null)], expected: { orders: null } },
    { name: 'per service', incidents: [incident('users', 1_000), incident('orders', 3_000)], expected: { users: 1_000, orders: 3_000 } },
    { name: 'no incidents', incidents: [], expected: {} },
  ])('$name', ({ incidents, expected }) => {
    expect(mttrByService(incidents)).toEqual(expected);
  });

  it('keeps services named like Object.prototype members as entries that survive JSON', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const mttr = mttrByService(names.map((name, index) => incident(name, (index + 1) * 1_000)));
    expect(Object.keys(mttr)).toEqual(names);
    expect(JSON.parse(JSON.stringify(mttr), (key, value: unknown) => value)).toStrictEqual(
      JSON.parse('{"__proto__":1000,"constructor":2000,"toString":3000,"hasOwnProperty":4000}'),
    );
    expect(mttrByService([incident('__proto__', null)])).toHaveProperty(['__proto__'], null);
    expect(mttrByService([])['constructor']).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('newestFirst orders by opening time, newest first', () => {
    expect(newestFirst([incident('a', 1, 0), incident('b', 1, 9), incident('c', 1, 3)]).map((i) => i.service)).toEqual(['b', 'c', 'a']);
  });
});

describe('lost instances (DESIGN §6)', () => {
  const SEC = 1_000;
  const at = (second: number): string => new Date(T0 + second * SEC).toISOString();
  const lostAt = (instance: string): Spec => ({ kind: 'instance.lost', service: 'users', instance, from: 'passing', to: 'critical', detail: 'lease expired at 10:00:10 UTC after probes failed from 10:00:00 UTC' });
  const cleared = (instance: string): Spec => ({ kind: 'instance.lost_cleared', service: 'users', instance, detail: 'loss dismissed by alice' });
  const seconds = (entries: [number, Spec][]): HistoryEvent[] => entries.map(([second, spec], index) => ({ id: index + 1, at: at(second), ...spec }));

  const back = (instance: string): Spec => ({ kind: 'instance.lost_cleared', service: 'users', instance, detail: 'registered again at 10.0.0.1:80' });
  const passes = (instance: string): Spec => ({ kind: 'health.changed', service: 'users', instance, from: 'critical', to: 'passing', detail: 'probe OK' });

  it('makes a 30 s whole-service outage an incident ending at its recovery: lost at the first failed probe, over when the last one back passes', () => {
    // Killed at 0 s; its lease expires at 10 s (the lost event is dated at the first failed probe), it
    // is back in etcd at 30 s, and its instances pass their probes at 33 s and 35 s.
    const events = seconds([
      [0, lostAt('a')],
      [0, lostAt('b')],
      [10, expired('a')],
      [10, expired('b')],
      [30, registered('a')],
      [30, registered('b')],
      [30, back('a')],
      [30, back('b')],
      [33, passes('a')],
      [35, passes('b')],
    ]);
    const [incident, ...rest] = deriveIncidents(events, { now: T0 + 60 * SEC });
    expect(rest).toEqual([]);
    expect(incident).toMatchObject({ openedAt: at(0), closedAt: at(35), closedBy: 'recovery', durationMs: 35 * SEC, instances: ['a', 'b'], peakFailing: 2 });
  });

  it('follows an instance back under another id (a new lease in its key) until that one passes', () => {
    const events = seconds([
      [0, lostAt('a')],
      [10, expired('a')],
      [30, { ...registered('a2') }],
      [30, { ...back('a'), detail: 'registered again as a2 at 10.0.0.1:80' }],
      [34, passes('a2')],
    ]);
    expect(deriveIncidents(events, { now: T0 + 60 * SEC })).toMatchObject([{ closedAt: at(34), closedBy: 'recovery', instances: ['a'] }]);
  });

  it('follows the id the row names (returnedAs), not the detail\u2019s words: an id and an address with " at " in them, reworded text', () => {
    const follows = (returnedAs: string, detail: string) =>
      deriveIncidents(
        seconds([
          [0, lostAt('a')],
          [10, expired('a')],
          [30, registered(returnedAs)],
          [30, { ...back('a'), detail, returnedAs }],
          [34, passes(returnedAs)],
        ]),
        { now: T0 + 600 * SEC },
      );
    const recovered = [{ closedAt: at(34), closedBy: 'recovery', instances: ['a'] }];
    // ids and addresses are the fleet's: the words "registered again as x at y at host at dc1:80" name no one id.
    expect(follows('x at y', 'registered again as x at y at host at dc1:80')).toMatchObject(recovered);
    expect(follows('a2', 'registered again as a2 at 10.0.0.1:80 at 17:38:01')).toMatchObject(recovered);
    expect(follows('a2', 'back in etcd as a2 (10.0.0.1:80)')).toMatchObject(recovered);
  });

  it('follows an instance back under its own id when the loss\u2019s row comes before its registration\u2019s', () => {
    const events = seconds([
      [0, lostAt('a')],
      [10, expired('a')],
      [30, { ...back('a'), returnedAs: 'a' }],
      [30, registered('a')],
      [34, passes('a')],
    ]);
    expect(deriveIncidents(events, { now: T0 + 600 * SEC })).toMatchObject([{ closedAt: at(34), closedBy: 'recovery' }]);
  });

  it('closes, not never, a loss whose row from before returnedAs says "at" an address and comes before its registration’s', () => {
    const events = seconds([
      [0, lostAt('a')],
      [10, expired('a')],
      [30, back('a')],
      [30, registered('a')],
      [34, passes('a')],
    ]);
    const [incident] = deriveIncidents(events, { now: T0 + 600 * SEC });
    expect(incident?.closedAt).not.toBeNull();
  });

  it('ends the loss at its return, not never, when a row from before returnedAs has words that name no one id', () => {
    const events = seconds([
      [0, lostAt('a')],
      [10, expired('a')],
      [30, registered('x at y')],
      [30, { ...back('a'), detail: 'registered again as x at y at host at dc1:80' }],
      [34, passes('x at y')],
    ]);
    expect(deriveIncidents(events, { now: T0 + 600 * SEC })).toMatchObject([{ closedAt: at(30), closedBy: 'departure' }]);
  });

  it('keeps a lost instance failing through its deregistration, whichever is recorded first', () => {
    const events = seconds([
      [10, expired('a')],
      [10, lostAt('a')],
    ]);
    expect(deriveIncidents(events, { now: T0 + 100 * SEC })[0]).toMatchObject({ openedAt: at(10), closedAt: null });
  });

  it('ends the failure when the loss is dismissed, and MTTR is the mean of the real durations', () => {
    const events = seconds([
      [0, lostAt('a')],
      [10, expired('a')],
      [40, cleared('a')],
      [500, lostAt('a')],
      [520, registered('a')],
      [520, back('a')],
      [521, passes('a')],
    ]);
    const incidents = deriveIncidents(events, { now: T0 + 1_000 * SEC, mergeGapMs: 60 * SEC });
    expect(incidents.map((incident) => [incident.durationMs, incident.closedBy])).toEqual([
      [40 * SEC, 'departure'],
      [21 * SEC, 'recovery'],
    ]);
    expect(mttrByService(incidents)).toEqual({ users: 30.5 * SEC });
  });

  it('is failing from lost even when health went critical first, until it returns and passes', () => {
    const events = seconds([
      [0, crit('a')],
      [2, lostAt('a')],
      [10, expired('a')],
      [25, registered('a')],
      [30, passes('a')],
    ]);
    expect(deriveIncidents(events, { now: T0 + 100 * SEC }).map(summarise)).toEqual([{ opened: 0, closed: 30 / 60, instances: ['a'], failures: 1, peak: 1 }]);
  });

  it('classifies lost and cleared events', () => {
    const [lost, clear] = seconds([
      [0, lostAt('a')],
      [1, cleared('a')],
    ]) as [HistoryEvent, HistoryEvent];
    expect(failureSignal(lost, false)).toBe('start');
    expect(failureSignal(clear, true, true)).toBe('stop');
    expect(failureSignal(clear, false, false)).toBe('none');
  });
});

describe('recentCriticalChanges (what the status publisher starts from after a restart)', () => {
  let id = 0;
  const row = (second: number, kind: HistoryEvent['kind'], instance: string, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: ++id, at: new Date(T0 + second * 1_000).toISOString(), kind, service: 'payments', instance, detail: kind, ...extra });
  const health = (second: number, instance: string, from: string, to: string): HistoryEvent => row(second, 'health.changed', instance, { from, to });
  const nowMs = T0 + 15 * MIN;

  it('counts as incidents count, within the window of now, and says who is down after', () => {
    const events = [
      // a: critical from before the window; its recovery in it counts, then a failure.
      health(6 * 60, 'a', 'critical', 'passing'),
      health(7 * 60, 'a', 'passing', 'critical'),
      // b: a failure older than the window, its recovery in it.
      health(4 * 60, 'b', 'passing', 'critical'),
      health(5 * 60 + 30, 'b', 'critical', 'passing'),
      // c: lost (down), back as c2 (down goes with it), which then passes.
      health(8 * 60, 'c', 'passing', 'critical'),
      row(8 * 60 + 10, 'instance.lost', 'c'),
      row(9 * 60, 'instance.lost_cleared', 'c', { returnedAs: 'c2' }),
      health(10 * 60, 'c2', 'critical', 'passing'),
      // d: registered, no verdict yet: not down.
      row(11 * 60, 'instance.registered', 'd'),
    ].sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
    const recorded = recentCriticalChanges(events, nowMs);
    expect(Object.fromEntries(recorded)).toEqual({
      // Its failure's row has no firstFailedAt: its calls made it critical.
      'payments\0a': { changes: [T0 + 6 * MIN, T0 + 7 * MIN], down: true, downByCalls: true },
      'payments\0b': { changes: [T0 + 5.5 * MIN], down: false },
      'payments\0c': { changes: [T0 + 8 * MIN], down: false },
      'payments\0c2': { changes: [T0 + 10 * MIN], down: false },
      'payments\0d': { changes: [], down: false },
    });
  });

  it('says an instance is down by its calls only when its last row into critical was theirs: not the probes’ (firstFailedAt), not a loss', () => {
    const events = [
      // e: its probes made it critical (the row carries when their streak began).
      health(60, 'e', 'passing', 'critical'),
      // f: critical by its calls, passing, then critical by its calls again.
      health(120, 'f', 'passing', 'critical'),
      health(180, 'f', 'critical', 'passing'),
      health(240, 'f', 'passing', 'critical'),
      // g: critical by its calls, then lost while down: critical by the loss now.
      health(60, 'g', 'passing', 'critical'),
      row(120, 'instance.lost', 'g'),
      // h: critical by its calls, then warning (still down), the row into critical its calls'.
      health(60, 'h', 'passing', 'critical'),
      health(120, 'h', 'critical', 'warning'),
      // i: down as its rows begin (its failure older than them): who made it critical is not known.
      health(60, 'i', 'critical', 'warning'),
    ];
    const byProbes = events.map((event) => (event.instance === 'e' ? { ...event, firstFailedAt: new Date(T0 + 50_000).toISOString() } : event));
    const recorded = recentCriticalChanges(byProbes.sort((x, y) => Date.parse(x.at) - Date.parse(y.at)), nowMs);
    const ids = (which: (entry: RecordedCriticalChanges) => boolean): string[] => [...recorded].filter(([, entry]) => which(entry)).map(([identity]) => identity).sort();
    expect(ids(({ downByCalls }) => downByCalls === true)).toEqual(['payments\0f', 'payments\0h']);
    expect(ids(({ down }) => down)).toEqual(['payments\0e', 'payments\0f', 'payments\0g', 'payments\0h', 'payments\0i']);
  });
});
