import { describe, expect, it } from 'vitest';
import { utcClock } from '@/lib/model/status/clock';
import { centredNote, NO_PHONE_START, originToCentre, originToStartOn, phoneStartCentredOn, phoneStartLeft, phoneStartOn, phoneStartResized, type PhoneStart } from './phone-start';

/** The origins centred on as the first origin goes through `firsts`, from `start`. */
function centredAlong(start: PhoneStart, firsts: (string | undefined)[]): string[] {
  let state = start;
  const centred: string[] = [];
  for (const first of firsts) {
    const origin = originToCentre(state, first);
    if (origin === undefined) continue;
    centred.push(origin);
    state = phoneStartCentredOn(state, origin);
  }
  return centred;
}

describe('phone start view', () => {
  it('moves a phone opened on the first failing service to the origin found later', () => {
    expect(centredAlong(phoneStartOn('orders', NO_PHONE_START), [undefined, 'payments'])).toEqual(['payments']);
  });

  it('centres each origin once at most: two origins taking turns as the first move the map once each, not at every turn', () => {
    expect(centredAlong(phoneStartOn('orders', NO_PHONE_START), ['payments', 'users', 'payments', 'users', undefined, 'payments'])).toEqual(['payments', 'users']);
  });

  it('does not move off the origin it opened on when that origin comes back', () => {
    expect(centredAlong(phoneStartOn('payments', NO_PHONE_START), [undefined, 'payments'])).toEqual([]);
  });

  it('never moves a view the reader took over (moved, opened a node, asked for the whole map)', () => {
    expect(centredAlong(phoneStartLeft(phoneStartOn('orders', NO_PHONE_START)), ['payments'])).toEqual([]);
  });

  it('never moves the map once the canvas was wider than a phone\u2019s, even narrowed again', () => {
    const start = phoneStartOn(undefined, NO_PHONE_START);
    expect(originToCentre(phoneStartResized(start, 390, 640), 'payments')).toBe('payments');
    const widened = phoneStartResized(start, 1024, 640);
    expect(originToCentre(phoneStartResized(widened, 390, 640), 'payments')).toBeUndefined();
  });

  it('a first view drawn again (relayout) keeps what was centred on before', () => {
    const before = phoneStartLeft(phoneStartCentredOn(phoneStartOn('orders', NO_PHONE_START), 'payments'));
    expect(centredAlong(phoneStartOn(undefined, before), ['payments', 'users'])).toEqual(['users']);
  });
});

describe('what a phone centres on, and says it did', () => {
  const recoveredAt = '2026-12-07T20:44:06.000Z';
  it('starts on a current origin before one that recovered, on a recovered one when it is the only one', () => {
    expect(originToStartOn([{ id: 'payments', recoveredAt }, { id: 'catalog' }])).toBe('catalog');
    expect(originToStartOn([{ id: 'payments', recoveredAt }])).toBe('payments');
    expect(originToStartOn([])).toBeUndefined();
  });

  it('says it centred on an origin that recovered, and when, where the note said nothing (the map opened on a green node unexplained)', () => {
    const marks = { origins: new Set<string>(), recoveredOrigins: new Map([['payments', recoveredAt]]) };
    expect(centredNote('payments', marks, new Set(['orders']), 'passing', utcClock)).toBe('Centred on payments, which was the likely origin: passing again since 20:44:06 UTC, its callers still clearing its errors.');
  });

  it('says a current origin, a failing service by its status, and nothing once what it centred on passes and is no origin', () => {
    const marks = { origins: new Set(['payments']), recoveredOrigins: new Map<string, string>() };
    const failing = new Set(['payments', 'orders']);
    expect(centredNote('payments', marks, failing, 'critical', utcClock)).toBe('Centred on payments, the likely origin.');
    expect(centredNote('orders', marks, failing, 'warning', utcClock)).toBe('Centred on orders, warning.');
    expect(centredNote('auth', marks, failing, 'passing', utcClock)).toBeUndefined();
  });
});
