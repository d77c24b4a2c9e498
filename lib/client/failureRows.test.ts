import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { failureRowsReducer, initialFailureRows, shownFor, type FailureRows, type FailureRowsAction } from './failureRows';

const rowsOf = (state: FailureRows, service: string) => shownFor(state, service).rows;

// A service page's recent failures, moved from payments to orders (a client navigation), with the
// responses and the live rows in the order a slow network can bring them.
const paymentsDown: HistoryEvent = { id: 72, at: '2026-12-07T03:59:40.824Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42157', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:40 UTC; last probe: connection refused' };
const ordersDown: HistoryEvent = { id: 90, at: '2026-12-07T04:00:10.000Z', kind: 'health.changed', service: 'orders', instance: 'orders-1', from: 'passing', to: 'critical', detail: 'error rate 40 % (threshold 25 %)' };

const run = (actions: readonly FailureRowsAction[]) => actions.reduce(failureRowsReducer, initialFailureRows('payments'));

describe('a service page\u2019s failure rows', () => {
  it('shows none of the previous service\u2019s rows once the page moved to another, until that one\u2019s arrive', () => {
    const moved = run([{ type: 'page', service: 'payments', events: [paymentsDown] }, { type: 'show', service: 'orders' }]);
    expect(rowsOf(moved, 'orders')).toBeNull();
    expect(rowsOf(failureRowsReducer(moved, { type: 'page', service: 'orders', events: [ordersDown] }), 'orders')?.map((event) => event.id)).toEqual([90]);
  });

  it('drops a response for the previous service that arrives after the move, before or after the new one\u2019s', () => {
    const before = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'payments', events: [paymentsDown] }]);
    expect(rowsOf(before, 'orders')).toBeNull();
    const after = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'orders', events: [ordersDown] }, { type: 'page', service: 'payments', events: [paymentsDown] }]);
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
    expect(rowsOf(run([{ type: 'page', service: 'payments', events: [paymentsDown] }]), 'orders')).toBeNull();
  });

  it('merges live rows of the shown service only', () => {
    const shown = run([{ type: 'show', service: 'orders' }, { type: 'page', service: 'orders', events: [] }, { type: 'live', events: [paymentsDown, ordersDown] }]);
    expect(rowsOf(shown, 'orders')?.map((event) => event.id)).toEqual([90]);
  });
});
