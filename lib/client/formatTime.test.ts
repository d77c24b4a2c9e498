import { describe, expect, it } from 'vitest';
import { clockSecondsBetween, formatAgo, formatClock, formatClockNear, formatIn, formatRelative, localizeUtcClocks } from './formatTime';

describe('formatAgo', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    ['2026-01-01T12:00:03Z', 'just now'],
    ['2026-01-01T11:59:15Z', '45 s ago'],
    ['2026-01-01T11:57:00Z', '3 min ago'],
    ['2026-01-01T09:00:00Z', '3 h ago'],
    ['2025-12-28T12:00:00Z', '4 d ago'],
  ])('%s → %s', (at, expected) => {
    expect(formatAgo(at, now)).toBe(expected);
  });
  it('counts the seconds between the clocks the page shows, not the rounded milliseconds', () => {
    // 11:59:15.9 shows as 11:59:15, 45 s before 12:00:00 (44.2 s elapsed rounded to "44 s ago").
    expect(formatAgo('2026-01-01T11:59:15.900Z', Date.parse('2026-01-01T12:00:00.100Z'))).toBe('45 s ago');
    expect(formatAgo('2026-01-01T11:59:15.100Z', Date.parse('2026-01-01T12:00:00.900Z'))).toBe('45 s ago');
  });
});

describe('formatClock', () => {
  it('writes the first hour after midnight as 00, not 24', () => {
    expect(formatClock(new Date(2026, 11, 7, 0, 0, 1).getTime(), 'en-US')).toBe('00:00:01');
    expect(formatClock(new Date(2026, 11, 7, 13, 5, 9).getTime(), 'en-US')).toBe('13:05:09');
  });
});

describe('formatClockNear', () => {
  // Local times (the reader's timezone, as the page shows them); en-US named, not the machine's locale (LANG=de_DE wrote "8. Dez.").
  const now = new Date(2026, 11, 7, 17, 18, 6).getTime();
  it('is the clock alone on the reader’s day of `now`', () => {
    expect(formatClockNear(new Date(2026, 11, 7, 0, 0, 1).getTime(), now, 'en-US')).toBe('00:00:01');
    expect(formatClockNear(new Date(2026, 11, 7, 23, 59, 59).getTime(), now, 'en-US')).toBe('23:59:59');
  });
  it('names the day otherwise: a token expiring in 24 h read "expires 17:18:06", the clock of now', () => {
    expect(formatClockNear(new Date(2026, 11, 8, 17, 18, 6).getTime(), now, 'en-US')).toBe('Dec 8, 17:18:06');
    expect(formatClockNear(new Date(2026, 11, 6, 23, 59, 59).getTime(), now, 'en-US')).toBe('Dec 6, 23:59:59');
  });
  it('and the year when it is not the year of `now`', () => {
    expect(formatClockNear(new Date(2027, 0, 1, 9, 0, 0).getTime(), now, 'en-US')).toBe('Jan 1, 2027, 09:00:00');
  });
});

describe('formatIn', () => {
  it('says how far ahead a time is, and "any moment" once it is due', () => {
    expect(formatIn(61_000, 0)).toBe('in 1 min');
    expect(formatIn(30_000, 0)).toBe('in 30 s');
    expect(formatIn(3 * 3_600_000, 0)).toBe('in 3 h');
    expect(formatIn(0, 5)).toBe('any moment');
  });
});

describe('formatRelative', () => {
  // The Access page at 01:24:51 showed a token expiring at 01:17:15 the next day as "(just now)".
  const now = Date.parse('2026-12-07T01:24:51Z');
  it.each([
    ['2026-12-08T01:17:15Z', 'in 24 h'],
    ['2026-12-07T01:40:00Z', 'in 15 min'],
    ['2026-12-07T01:25:30Z', 'in 39 s'],
    ['2027-01-06T01:24:51Z', 'in 30 d'],
  ])('reads a time ahead, %s, as how far ahead it is: %s', (at, expected) => {
    expect(formatRelative(at, now)).toBe(expected);
  });
  it('reads past times as formatAgo does', () => {
    expect(formatRelative('2026-12-07T01:21:51Z', now)).toBe('3 min ago');
    expect(formatRelative('2026-12-07T01:24:49Z', now)).toBe('just now');
  });
  it('reads a time less than 5 s ahead as "just now": an event stamped on the server can be a second or two past the page\u2019s clock', () => {
    expect(formatRelative('2026-12-07T01:24:53.500Z', now)).toBe('just now');
  });
});

describe('clockSecondsBetween', () => {
  it('is the difference of the two whole-second clocks, never negative', () => {
    expect(clockSecondsBetween(Date.parse('2026-12-06T14:39:32.900Z'), Date.parse('2026-12-06T14:39:44.100Z'))).toBe(12);
    expect(clockSecondsBetween(Date.parse('2026-12-06T14:39:32.100Z'), Date.parse('2026-12-06T14:39:44.900Z'))).toBe(12);
    expect(clockSecondsBetween(Date.parse('2026-12-06T14:39:44.900Z'), Date.parse('2026-12-06T14:39:44.100Z'))).toBe(0);
  });
});

describe('localizeUtcClocks', () => {
  const tokyo = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { timeZone: 'Asia/Tokyo', hour12: false });
  const newYork = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour12: false });

  it('writes each UTC clock in a cause as the reader’s time', () => {
    const near = Date.parse('2026-12-06T14:40:00Z');
    expect(localizeUtcClocks('probes failed from 14:39:32 UTC (connection refused); lease expired at 14:39:39 UTC', near, tokyo)).toBe(
      'probes failed from 23:39:32 (connection refused); lease expired at 23:39:39',
    );
  });

  it('takes a clock as the instant nearest the event, across midnight either way', () => {
    expect(localizeUtcClocks('lost at 23:59:50 UTC', Date.parse('2026-12-07T00:00:10Z'), newYork)).toBe('lost at 18:59:50');
    expect(localizeUtcClocks('recovered at 00:00:05 UTC', Date.parse('2026-12-06T23:59:58Z'), newYork)).toBe('recovered at 19:00:05');
  });

  it('leaves text without a UTC clock, and clocks that are not one, as they are', () => {
    const near = Date.parse('2026-12-06T14:40:00Z');
    for (const text of ['HTTP 503', 'at 24:00:00 UTC', 'v1.14:39:39 UTCX', 'since 14:39 UTC']) expect(localizeUtcClocks(text, near, tokyo)).toBe(text);
  });
});
