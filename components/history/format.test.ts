import { describe, expect, it } from 'vitest';
import { eventLabel, eventTone, formatUptime, fromLocalInput, statusOf, stripSummary, toLocalInput, uptimeCoverage } from './format';

describe('formatUptime', () => {
  it.each([
    [null, '—'],
    [1, '100%'],
    [0.99996, '99.99%'],
    [0.9995, '99.95%'],
    [0.5, '50%'],
    [0.0512, '5.1%'],
    [0, '0%'],
  ])('%s is %s', (ratio, text) => expect(formatUptime(ratio)).toBe(text));
});

describe('eventTone', () => {
  it('reads failures as bad and recoveries as good', () => {
    expect(eventTone({ kind: 'health.changed', to: 'critical', detail: '' })).toBe('bad');
    expect(eventTone({ kind: 'health.changed', to: 'passing', detail: '' })).toBe('good');
    expect(eventTone({ kind: 'instance.deregistered', detail: 'lease 1f expired' })).toBe('bad');
    expect(eventTone({ kind: 'instance.deregistered', detail: 'key deleted' })).toBe('info');
    expect(eventTone({ kind: 'history.gap', detail: '' })).toBe('warn');
  });

  it('tints a loss of an instance still serving amber, as its row on the service page and its chip on the map: red is a gone process', () => {
    const stillServing = 'lease expired at 04:22:01 UTC while it still served: it answered probes 20 s later, but is out of discovery';
    expect(eventTone({ kind: 'instance.lost', detail: stillServing })).toBe('warn');
    expect(eventTone({ kind: 'instance.lost', detail: 'lease expired at 03:55:25 UTC after probes failed from 03:55:18 UTC; last probe: connection refused' })).toBe('bad');
  });
});

describe('statusOf', () => {
  it('accepts statuses only', () => {
    expect(statusOf('critical')).toBe('critical');
    expect(statusOf('<b>')).toBeNull();
    expect(statusOf(undefined)).toBeNull();
  });
});

describe('stripSummary', () => {
  it('counts cells worst first', () => {
    expect(stripSummary(['passing', 'critical', 'passing', 'none'])).toBe('1 critical, 2 passing, 1 without data');
  });
});

describe('datetime-local conversion', () => {
  it('round-trips to the minute in local time', () => {
    const iso = new Date(2026, 2, 3, 14, 3).toISOString();
    expect(toLocalInput(iso)).toBe('2026-03-03T14:03');
    expect(fromLocalInput('2026-03-03T14:03')).toBe(iso);
    expect(fromLocalInput('')).toBe('');
    expect(toLocalInput('nonsense')).toBe('');
  });
});

describe('uptimeCoverage', () => {
  const DAY = 86_400_000;
  it.each([
    [DAY, 'over the last 24 hours'],
    [0.995 * DAY, 'over the last 24 hours'],
    [65_000, 'over 1 min 5 s observed in the last 24 hours'],
    [0, 'nothing observed in the last 24 hours'],
  ])('%s ms known of a day: %s', (observedMs, text) => expect(uptimeCoverage(observedMs, DAY, 'last 24 hours')).toBe(text));
});

describe('eventLabel', () => {
  it('names a loss of an instance still serving "Out of discovery", as its row on the service page does: "Lost" sends the engineer to restart a process that runs', () => {
    // The demo's lose-etcd: catalog's recent failures and the timeline said "Lost" beside "…while it still served".
    const stillServing = { kind: 'instance.lost' as const, detail: 'lease expired at 04:22:01 UTC while it still served: it answered probes 20 s later, but is out of discovery' };
    expect(eventLabel(stillServing)).toBe('Out of discovery');
    expect(eventLabel({ kind: 'instance.lost', detail: 'lease expired at 03:55:25 UTC after probes failed from 03:55:18 UTC; last probe: connection refused' })).toBe('Lost');
    expect(eventLabel({ kind: 'health.changed', detail: 'probe OK' })).toBe('Health changed');
  });
});
