import { describe, expect, it } from 'vitest';
import { NO_PHONE_START, originToCentre, phoneStartCentredOn, phoneStartLeft, phoneStartOn, phoneStartResized, type PhoneStart } from './phone-start';

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
