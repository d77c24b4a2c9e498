import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from './events';
import type { Status } from './instance';
import { heartbeatStrip, inStripOrder, statusesAtStart, uptimeMayChange, statusTimeline, statusTimelineBuilder, stripOf, uptime, uptimeOf, UptimeQuerySchema, type Observed, type StatusSpan } from './uptime';

/** Times are minutes from T0; windows are [0, 100) unless a case says otherwise. */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const MIN = 60_000;
const ms = (minute: number): number => T0 + minute * MIN;
const iso = (minute: number): string => new Date(ms(minute)).toISOString();

type Spec = Omit<HistoryEvent, 'id' | 'at'>;
const health = (instance: string, to: Status): Spec => ({ kind: 'health.changed', service: 'users', instance, to, detail: 'probe' });
const registered = (instance: string): Spec => ({ kind: 'instance.registered', service: 'users', instance, detail: 'registered' });
const deregistered = (instance: string): Spec => ({ kind: 'instance.deregistered', service: 'users', instance, detail: 'lease 77 expired' });
const gap = (untilMinute?: number): Spec => ({ kind: 'history.gap', detail: 'Switchyard was not running', ...(untilMinute === undefined ? {} : { until: iso(untilMinute) }) });
const timeline = (entries: [number, Spec][]): HistoryEvent[] => entries.map(([minute, spec], index) => ({ id: index + 1, at: iso(minute), ...spec }));
const window = (initial: Record<string, Status> = {}, from = 0, to = 100) => ({ from: ms(from), to: ms(to), initial: new Map(Object.entries(initial)) });

interface UptimeCase {
  name: string;
  initial?: Record<string, Status>;
  events: [number, Spec][];
  service: number | null;
  instances: Record<string, number | null>;
}

const uptimeCases: UptimeCase[] = [
  { name: 'passing throughout', initial: { a: 'passing' }, events: [], service: 1, instances: { a: 1 } },
  { name: 'critical for a quarter of the window', initial: { a: 'passing' }, events: [[25, health('a', 'critical')], [50, health('a', 'passing')]], service: 0.75, instances: { a: 0.75 } },
  { name: 'critical and still failing at the window end', initial: { a: 'passing' }, events: [[80, health('a', 'critical')]], service: 0.8, instances: { a: 0.8 } },
  { name: 'critical since before the window', initial: { a: 'critical' }, events: [[10, health('a', 'passing')]], service: 0.9, instances: { a: 0.9 } },
  { name: 'warning counts as up', initial: { a: 'warning' }, events: [], service: 1, instances: { a: 1 } },
  {
    name: 'unknown time (registered, not probed yet) is excluded',
    events: [[50, registered('a')], [60, health('a', 'critical')], [70, health('a', 'passing')]],
    service: 0.75,
    instances: { a: 0.75 },
  },
  { name: 'nothing known → null', events: [[50, registered('a')]], service: null, instances: { a: null } },
  { name: 'no instances at all → null', events: [], service: null, instances: {} },
  { name: 'time after deregistration is excluded', initial: { a: 'passing' }, events: [[40, health('a', 'critical')], [50, deregistered('a')]], service: 0.8, instances: { a: 0.8 } },
  {
    name: 'overlapping failures: the service is critical only while every instance is',
    initial: { a: 'passing', b: 'passing' },
    events: [[20, health('a', 'critical')], [40, health('b', 'critical')], [60, health('a', 'passing')], [80, health('b', 'passing')]],
    service: 0.8,
    instances: { a: 0.6, b: 0.6 },
  },
  {
    name: 'the service is critical when its only healthy instance leaves',
    initial: { a: 'critical', b: 'passing' },
    events: [[50, deregistered('b')], [75, health('a', 'passing')]],
    service: 0.75,
    instances: { a: 0.25, b: 1 },
  },
  {
    name: 'a history gap is excluded and statuses carry over it',
    initial: { a: 'passing' },
    events: [[10, health('a', 'critical')], [20, gap(60)], [70, health('a', 'passing')]],
    service: 2 / 3,
    instances: { a: 2 / 3 },
  },
  { name: 'a gap without an end lasts until the next event', initial: { a: 'critical' }, events: [[0, gap()], [90, health('a', 'passing')]], service: 1, instances: { a: 1 } },
  { name: 'a gap begun before the window covers its start', initial: { a: 'critical' }, events: [[-30, gap(50)]], service: 0, instances: { a: 0 } },
  { name: 'events before the window only set the starting state', events: [[-30, registered('a')], [-20, health('a', 'critical')], [20, health('a', 'passing')]], service: 0.8, instances: { a: 0.8 } },
  { name: 'events at or after the window end are ignored', initial: { a: 'passing' }, events: [[100, health('a', 'critical')]], service: 1, instances: { a: 1 } },
];

describe('uptime', () => {
  it.each(uptimeCases)('$name', ({ initial, events, service, instances }) => {
    const result = uptime(timeline(events), window(initial));
    if (service === null) expect(result.service).toBeNull();
    else expect(result.service).toBeCloseTo(service, 9);
    expect(Object.fromEntries(result.instances)).toEqual(Object.fromEntries(Object.entries(instances).map(([id, value]) => [id, value === null ? null : expect.closeTo(value, 9)])));
  });
});

describe('statusTimeline', () => {
  it('gives merged spans per instance and for the roll-up, none where nothing was observed', () => {
    const result = statusTimeline(timeline([[10, registered('b')], [20, health('b', 'critical')], [30, gap(40)], [40, health('b', 'passing')]]), window({ a: 'passing' }));
    const minutes = (spans: StatusSpan[] | undefined) => spans?.map((s) => [(s.fromMs - T0) / MIN, (s.toMs - T0) / MIN, s.status]);
    expect(minutes(result.instances.get('a'))).toEqual([[0, 30, 'passing'], [30, 40, 'none'], [40, 100, 'passing']]);
    expect(minutes(result.instances.get('b'))).toEqual([[0, 10, 'none'], [10, 20, 'unknown'], [20, 30, 'critical'], [30, 40, 'none'], [40, 100, 'passing']]);
    expect(minutes(result.service)).toEqual([[0, 20, 'passing'], [20, 30, 'warning'], [30, 40, 'none'], [40, 100, 'passing']]);
  });

  it('is the same fed a piece at a time (statusTimelineBuilder), events at or after the end left out', () => {
    const events = timeline([
      [-5, health('a', 'warning')],
      [10, registered('b')],
      [20, health('b', 'critical')],
      [30, gap(40)],
      [35, health('a', 'critical')],
      [40, health('b', 'passing')],
      [60, gap()],
      [70, health('a', 'passing')],
      [90, gap(120)],
      [100, health('b', 'critical')],
    ]);
    const options = window({ a: 'passing' });
    const whole = statusTimeline(events, options);
    for (const size of [1, 2, 3]) {
      const builder = statusTimelineBuilder(options);
      const before = events.filter((event) => Date.parse(event.at) < options.to);
      for (let start = 0; start < before.length; start += size) builder.add(before.slice(start, start + size));
      expect(builder.finish(options.to)).toEqual(whole);
    }
  });

  it('drops zero-length flips at one instant', () => {
    const result = statusTimeline(timeline([[10, health('a', 'critical')], [10, health('a', 'passing')]]), window({ a: 'passing' }));
    expect(result.instances.get('a')).toEqual([{ fromMs: ms(0), toMs: ms(100), status: 'passing' }]);
  });
});

describe('statusesAtStart', () => {
  it('takes each instance’s latest state event and leaves deregistered ones out', () => {
    const events = timeline([[-50, health('a', 'critical')], [-40, registered('b')], [-30, health('c', 'passing')], [-20, deregistered('c')], [-60, health('a', 'passing')], [-10, health('d', 'bogus' as Status)]]);
    expect(Object.fromEntries(statusesAtStart(events))).toEqual({ a: 'critical', b: 'unknown', d: 'unknown' });
  });
});

interface StripCase {
  name: string;
  spans: [number, number, Observed][];
  buckets: number;
  expected: Observed[];
}

const stripCases: StripCase[] = [
  { name: 'one status fills every cell', spans: [[0, 100, 'passing']], buckets: 4, expected: ['passing', 'passing', 'passing', 'passing'] },
  { name: 'a short failure marks its cell', spans: [[0, 30, 'passing'], [30, 35, 'critical'], [35, 100, 'passing']], buckets: 4, expected: ['passing', 'critical', 'passing', 'passing'] },
  { name: 'a failure across a boundary marks both cells', spans: [[0, 20, 'passing'], [20, 30, 'critical'], [30, 100, 'passing']], buckets: 4, expected: ['critical', 'critical', 'passing', 'passing'] },
  { name: 'a span ending on a boundary stays out of the next cell', spans: [[0, 25, 'critical'], [25, 100, 'passing']], buckets: 4, expected: ['critical', 'passing', 'passing', 'passing'] },
  { name: 'worst wins: warning over passing, passing over unknown', spans: [[0, 10, 'unknown'], [10, 20, 'passing'], [25, 30, 'warning'], [30, 60, 'unknown']], buckets: 4, expected: ['passing', 'warning', 'unknown', 'none'] },
  { name: 'nothing observed → none', spans: [[0, 100, 'none']], buckets: 2, expected: ['none', 'none'] },
  { name: 'spans outside the strip are ignored', spans: [[-50, 0, 'critical'], [100, 150, 'critical']], buckets: 2, expected: ['none', 'none'] },
];

describe('stripOf', () => {
  it.each(stripCases)('$name', ({ spans, buckets, expected }) => {
    const asSpans = spans.map(([from, to, status]) => ({ fromMs: ms(from), toMs: ms(to), status }));
    expect(stripOf(asSpans, { from: ms(0), to: ms(100), buckets })).toEqual(expected);
  });
});

describe('heartbeatStrip', () => {
  it('gives a strip per instance and for the service, with an open failure at the window end', () => {
    const strips = heartbeatStrip(timeline([[10, health('a', 'critical')], [30, health('a', 'passing')], [60, registered('b')], [95, health('b', 'critical')]]), {
      ...window({ a: 'passing' }),
      buckets: 5,
    });
    expect(strips.instances.get('a')).toEqual(['critical', 'critical', 'passing', 'passing', 'passing']);
    expect(strips.instances.get('b')).toEqual(['none', 'none', 'none', 'unknown', 'critical']);
    expect(strips.service).toEqual(['critical', 'critical', 'passing', 'passing', 'warning']);
  });
});

describe('uptimeOf', () => {
  it('is null with no known time, and ignores unknown and none', () => {
    expect(uptimeOf([])).toBeNull();
    expect(uptimeOf([{ fromMs: 0, toMs: 10, status: 'unknown' }, { fromMs: 10, toMs: 20, status: 'none' }])).toBeNull();
    expect(uptimeOf([{ fromMs: 0, toMs: 10, status: 'critical' }, { fromMs: 10, toMs: 20, status: 'unknown' }, { fromMs: 20, toMs: 40, status: 'warning' }])).toBeCloseTo(2 / 3);
  });
});

describe('UptimeQuerySchema', () => {
  it.each([
    { input: {}, ok: true },
    { input: { window: '7d', buckets: '90' }, ok: true },
    { input: { window: '1y' }, ok: false },
    { input: { buckets: '0' }, ok: false },
    { input: { buckets: '501' }, ok: false },
  ])('$input → ok=$ok', ({ input, ok }) => {
    expect(UptimeQuerySchema.safeParse(input).success).toBe(ok);
  });
});

describe('lost instances count against uptime (DESIGN §6)', () => {
  const lost = (instance: string): Spec => ({ kind: 'instance.lost', service: 'users', instance, to: 'critical', detail: 'lease expired' });
  const cleared = (instance: string): Spec => ({ kind: 'instance.lost_cleared', service: 'users', instance, detail: 'loss dismissed by alice' });

  it('a service whose every instance is lost is down until one returns, whatever the deregistrations say', () => {
    const events = timeline([
      [20, lost('a')],
      [20, lost('b')],
      [21, deregistered('a')],
      [21, deregistered('b')],
      [50, registered('a')],
      [51, health('a', 'passing')],
    ]);
    const result = uptime(events, window({ a: 'passing', b: 'passing' }));
    // The service is critical 20 → 50 (b still lost after that: warning, which counts as up);
    // a is critical 20 → 50 of its 99 known minutes (unknown 50–51 is excluded).
    expect(result.service).toBeCloseTo(0.7, 6);
    expect(result.instances.get('a')).toBeCloseTo(1 - 30 / 99, 6);
  });

  it('a dismissed loss stops counting at the dismissal', () => {
    const events = timeline([
      [50, lost('a')],
      [51, deregistered('a')],
      [75, cleared('a')],
    ]);
    expect(uptime(events, window({ a: 'passing' })).instances.get('a')).toBeCloseTo(1 - 25 / 75, 6);
  });

  it('a cleared loss does not unregister an instance that registered again first', () => {
    const events = timeline([
      [50, lost('a')],
      [60, registered('a')],
      [61, cleared('a')],
      [62, health('a', 'passing')],
    ]);
    const spans = statusTimeline(events, window({ a: 'passing' })).instances.get('a');
    expect(spans?.map((span) => span.status)).toEqual(['passing', 'critical', 'unknown', 'passing']);
  });
});

describe('uptimeMayChange (what the service page refetches its uptime on)', () => {
  const of = (service: string | undefined, kind: HistoryEvent['kind'], to?: string): HistoryEvent => ({ id: 1, at: iso(0), kind, detail: 'x', ...(service === undefined ? {} : { service, instance: 'a' }), ...(to === undefined ? {} : { to }) });

  it.each([
    ['a status change', of('payments', 'health.changed', 'critical')],
    ['a step down to warning (a strip cell)', of('payments', 'health.changed', 'warning')],
    ['a loss', of('payments', 'instance.lost', 'critical')],
    ['a loss cleared', of('payments', 'instance.lost_cleared')],
    ['a registration', of('payments', 'instance.registered')],
    ['a deregistration', of('payments', 'instance.deregistered')],
  ])('is true for %s of the service', (_name, event) => {
    expect(uptimeMayChange([event], 'payments')).toBe(true);
  });

  it('is false for another service’s status changes and for events that change no status', () => {
    expect(uptimeMayChange([of('orders', 'health.changed', 'critical'), of('orders', 'instance.lost', 'critical')], 'payments')).toBe(false);
    expect(uptimeMayChange([of('payments', 'alert.fired'), of('payments', 'instance.drained'), of(undefined, 'registry.resynced')], 'payments')).toBe(false);
    expect(uptimeMayChange([], 'payments')).toBe(false);
  });

  it('is true when any of a batch is', () => {
    expect(uptimeMayChange([of('payments', 'alert.fired'), of('payments', 'instance.lost', 'critical')], 'payments')).toBe(true);
  });
});

describe('inStripOrder', () => {
  it('lists registered instances first, then by id with numbers as numbers, as the Instances table does (billing-04-2 before -10)', () => {
    const ids = ['billing-04-10', 'billing-04-2', 'gone-1', 'billing-04-1', 'billing-04-11'];
    const registered = new Set(['billing-04-10', 'billing-04-2', 'billing-04-1', 'billing-04-11']);
    expect(inStripOrder(ids.map((id) => ({ id })), registered).map(({ id }) => id)).toEqual(['billing-04-1', 'billing-04-2', 'billing-04-10', 'billing-04-11', 'gone-1']);
  });
});
