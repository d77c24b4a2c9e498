import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { failureRowsReducer, initialFailureRows, loadFailureRows, shownFor, type FailureRows, type FailureRowsAction } from './failureRows';

const rowsOf = (state: FailureRows, service: string) => shownFor(state, service).rows?.rows ?? null;

// A service page's recent failures, moved from payments to orders (a client navigation), with the
// responses and the live rows in the order a slow network can bring them.
const paymentsDown: HistoryEvent = { id: 72, at: '2026-12-07T03:59:40.824Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42157', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:40 UTC; last probe: connection refused' };
const ordersDown: HistoryEvent = { id: 90, at: '2026-12-07T04:00:10.000Z', kind: 'health.changed', service: 'orders', instance: 'orders-1', from: 'passing', to: 'critical', detail: 'error rate 40 % (threshold 25 %)' };

const run = (actions: readonly FailureRowsAction[]) => actions.reduce(failureRowsReducer, initialFailureRows('payments'));

describe('a service page\u2019s failure rows', () => {
  it('shows none of the previous service\u2019s rows once the page moved to another, until that one\u2019s arrive', () => {
    const moved = run([{ type: 'page', service: 'payments', events: [paymentsDown], older: [] }, { type: 'show', service: 'orders' }]);
    expect(rowsOf(moved, 'orders')).toBeNull();
    expect(rowsOf(failureRowsReducer(moved, { type: 'page', service: 'orders', events: [ordersDown], older: [] }), 'orders')?.map((event) => event.id)).toEqual([90]);
  });

  it('drops a response for the previous service that arrives after the move, before or after the new one\u2019s', () => {
    const before = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'payments', events: [paymentsDown], older: [] }]);
    expect(rowsOf(before, 'orders')).toBeNull();
    const after = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'orders', events: [ordersDown], older: [] }, { type: 'page', service: 'payments', events: [paymentsDown], older: [] }]);
    expect(rowsOf(after, 'orders')?.map((event) => event.id)).toEqual([90]);
  });

  it('shows the previous service\u2019s error under neither, and a stale error not at all', () => {
    const failed = run([{ type: 'error', service: 'payments', message: 'HTTP 503' }]);
    expect(shownFor(failed, 'payments').error).toBe('HTTP 503');
    expect(shownFor(failed, 'orders').error).toBeNull();
    expect(shownFor(failureRowsReducer(failed, { type: 'show', service: 'orders' }), 'orders').error).toBeNull();
    expect(shownFor(run([{ type: 'show', service: 'orders' }, { type: 'error', service: 'payments', message: 'HTTP 503' }]), 'orders').error).toBeNull();
  });

  it('shows the previous service\u2019s rows under no other, even in the render before the move is dispatched', () => {
    expect(rowsOf(run([{ type: 'page', service: 'payments', events: [paymentsDown], older: [] }]), 'orders')).toBeNull();
  });

  it('keeps a page\u2019s pairing rows past its window apart: they pair, they are not listed', () => {
    // payments-1's key went (lease ended) as the page's last row; its loss, 3 s older, is the first row past it.
    const departure: HistoryEvent = { id: 73, at: '2026-12-07T03:59:44.441Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42157', detail: 'lease 7017349628100375884 ended (revoked or expired)' };
    const graceful: HistoryEvent = { id: 60, at: '2026-12-07T03:50:00.000Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42001', detail: 'lease 7017349628100375001 ended (revoked or expired)' };
    const shown = shownFor(run([{ type: 'page', service: 'payments', events: [departure], older: [paymentsDown, graceful, { ...ordersDown, id: 50, kind: 'instance.lost' }] }]), 'payments').rows;
    expect(shown?.rows.map((event) => event.id)).toEqual([73]);
    expect(shown?.older.map((event) => event.id)).toEqual([72, 60]);
  });

  it('merges live rows of the shown service only', () => {
    const shown = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'orders', events: [], older: [] }, { type: 'live', events: [paymentsDown, ordersDown] }]);
    expect(rowsOf(shown, 'orders')?.map((event) => event.id)).toEqual([90]);
  });
});

describe('loading a service page\u2019s failure rows', () => {
  const page = (events: readonly HistoryEvent[], nextCursor: string | null) => ({ events, nextCursor });

  it('keeps the page when the pairing rows past it fail to load, pairing without them', async () => {
    const asked: string[] = [];
    const fetchJson = async (url: string): Promise<unknown> => {
      asked.push(url);
      if (asked.length === 1) return page([paymentsDown], 'cursor-1');
      throw new Error('HTTP 503');
    };
    expect(await loadFailureRows('payments', fetchJson)).toEqual({ type: 'page', service: 'payments', events: [paymentsDown], older: [] });
    expect(asked).toHaveLength(2);
  });

  it('fails when the page itself fails, and when the load was given up (the page moved on)', async () => {
    await expect(loadFailureRows('payments', async () => Promise.reject(new Error('HTTP 503')))).rejects.toThrow('HTTP 503');
    const controller = new AbortController();
    let calls = 0;
    const fetchJson = async (): Promise<unknown> => {
      calls += 1;
      if (calls === 1) return page([paymentsDown], 'cursor-1');
      controller.abort();
      throw new Error('aborted');
    };
    await expect(loadFailureRows('payments', fetchJson, controller.signal)).rejects.toThrow('aborted');
  });
});
