import { describe, expect, it } from 'vitest';
import { decodeSignals, MAX_SIGNALS_PER_MESSAGE, packSignals, type Signal } from './signals';

const probe = (i: number): Signal<'probe'> => ({ key: `/services/a/${i}`, result: { at: '2026-12-03T09:32:31.000Z', ok: i % 2 === 0, latencyMs: i } });

describe('packSignals', () => {
  it('keeps every message under the byte limit and every item in exactly one message', () => {
    const items = Array.from({ length: 500 }, (_, i) => probe(i));
    const { messages, dropped } = packSignals('replica-a', 'probe', items, 8_000);
    expect(dropped).toBe(0);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(new TextEncoder().encode(message.text).length).toBeLessThan(8_000);
    const keys = messages.flatMap((message) => (decodeSignals(message.text)?.items ?? []).map((item) => (item as Signal<'probe'>).key));
    expect(keys).toEqual(items.map((item) => item.key));
  });

  it('counts multi-byte characters as bytes, not as UTF-16 units', () => {
    const wide = { key: `/services/${'é'.repeat(3_000)}`, result: probe(1).result };
    const { messages } = packSignals('replica-a', 'probe', [wide, wide], 8_000);
    for (const message of messages) expect(new TextEncoder().encode(message.text).length).toBeLessThan(8_000);
    expect(messages).toHaveLength(2);
  });

  it('drops and counts an item too big for any message', () => {
    const huge = { key: `/services/${'x'.repeat(4_000)}`, result: { ...probe(1).result, error: 'e'.repeat(1_000), detail: 'd'.repeat(1_000) } };
    const { messages, dropped } = packSignals('replica-a', 'probe', [huge, probe(2)], 3_000);
    expect(dropped).toBe(1);
    expect(messages).toHaveLength(1);
  });

  it(`puts at most ${MAX_SIGNALS_PER_MESSAGE} items in a message`, () => {
    const items = Array.from({ length: MAX_SIGNALS_PER_MESSAGE + 1 }, (_, i) => ({ credentialIds: [`s${i}`] }));
    expect(packSignals('replica-a', 'sessions', items, 1_000_000).messages).toHaveLength(2);
  });
});

describe('decodeSignals', () => {
  it('is undefined for text that is not an envelope', () => {
    expect(decodeSignals('not json')).toBeUndefined();
    expect(decodeSignals('{"from":"a","kind":"__proto__","items":[]}')).toBeUndefined();
    expect(decodeSignals(JSON.stringify({ from: 'a', kind: 'probe', items: Array.from({ length: MAX_SIGNALS_PER_MESSAGE + 1 }, () => ({})) }))).toBeUndefined();
  });

  it('keeps valid items and counts the rest', () => {
    const decoded = decodeSignals(JSON.stringify({ from: 'b', kind: 'calls', items: [
      { to: 'payments', countsForCallee: true, startSecond: 1_796_300_000, intervalSeconds: 1, count: 3, errors: 1, latencyMs: { bounds: [10], counts: [2, 1] } },
      { to: 'payments', countsForCallee: true, startSecond: 1_796_300_000, intervalSeconds: 1, count: 3, errors: 4, latencyMs: { bounds: [10], counts: [2, 1] } },
      { to: 'payments', countsForCallee: true, startSecond: 1_796_300_000, intervalSeconds: 1, count: 3, errors: 0, latencyMs: { bounds: [10, 5], counts: [2, 1, 0] } },
    ] }));
    expect(decoded?.kind).toBe('calls');
    expect(decoded?.from).toBe('b');
    expect(decoded?.items).toHaveLength(1);
    expect(decoded?.rejected).toBe(2);
  });

  it('keeps a probe result that says it was not probed only when that is a boolean', () => {
    const result = { at: '2026-12-06T12:00:00.000Z', ok: false, latencyMs: 0, error: 'address denied by probe policy (169.254.0.0/16)' };
    const hostile = [{ notProbed: 'true' }, { notProbed: 1 }, { notProbed: null }, { notProbed: { valueOf: true } }, { notProbed: [true] }];
    const decoded = decodeSignals(JSON.stringify({ from: 'b', kind: 'probe', items: [{ key: '/s/a', result: { ...result, notProbed: true } }, ...hostile.map((extra) => ({ key: '/s/a', result: { ...result, ...extra } }))] }));
    expect(decoded?.items).toEqual([{ key: '/s/a', result: { ...result, notProbed: true } }]);
    expect(decoded?.rejected).toBe(hostile.length);
  });
});
