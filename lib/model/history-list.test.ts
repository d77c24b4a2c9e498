import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from './events';
import { appendPage, compareNewestFirst, INITIAL_LIST, listReducer, mergeEvents, positionOf, type ListAction, type ListState } from './history-list';

const ev = (id: number, second: number): HistoryEvent => ({ id, at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), kind: 'instance.registered', detail: 'registered' });
const ids = (list: readonly HistoryEvent[]) => list.map((event) => event.id);

describe('compareNewestFirst', () => {
  it('orders by time, then by id, newest first', () => {
    const sorted = [ev(1, 1), ev(3, 2), ev(2, 2), ev(4, 0)].sort(compareNewestFirst);
    expect(ids(sorted)).toEqual([3, 2, 1, 4]);
  });
});

describe('positionOf', () => {
  const list = [ev(5, 50), ev(4, 40), ev(3, 30)];
  it('finds an event already present', () => expect(positionOf(list, ev(4, 40))).toEqual({ index: 1, found: true }));
  it('gives the insertion index otherwise', () => {
    expect(positionOf(list, ev(9, 60))).toEqual({ index: 0, found: false });
    expect(positionOf(list, ev(6, 35))).toEqual({ index: 2, found: false });
    expect(positionOf(list, ev(1, 10))).toEqual({ index: 3, found: false });
    expect(positionOf([], ev(1, 10))).toEqual({ index: 0, found: false });
  });
});

describe('mergeEvents', () => {
  const list = [ev(5, 50), ev(4, 40), ev(3, 30)];
  it('prepends newer events (given oldest first, as the socket sends them)', () => {
    expect(ids(mergeEvents(list, [ev(6, 51), ev(7, 52)], false))).toEqual([7, 6, 5, 4, 3]);
  });
  it('skips events already shown, and repeats within the batch', () => {
    expect(mergeEvents(list, [ev(5, 50)], false)).toBe(list);
    expect(ids(mergeEvents(list, [ev(6, 51), ev(6, 51)], false))).toEqual([6, 5, 4, 3]);
    expect(ids(mergeEvents(list, [ev(4, 40), ev(6, 51)], false))).toEqual([6, 5, 4, 3]);
  });
  it('inserts an out-of-order event where it belongs', () => {
    expect(ids(mergeEvents(list, [ev(9, 45)], false))).toEqual([5, 9, 4, 3]);
  });
  it('leaves events older than the last one to their page while pages remain', () => {
    expect(mergeEvents(list, [ev(1, 10)], false)).toBe(list);
    expect(ids(mergeEvents(list, [ev(1, 10)], true))).toEqual([5, 4, 3, 1]);
  });
  it('fills an empty list', () => {
    expect(ids(mergeEvents([], [ev(1, 1), ev(2, 2)], true))).toEqual([2, 1]);
  });
  it('does not modify its input', () => {
    const copy = [...list];
    mergeEvents(list, [ev(9, 45), ev(10, 60)], true);
    expect(list).toEqual(copy);
  });
});

describe('appendPage', () => {
  it('appends only what is older than the last event', () => {
    const list = [ev(5, 50), ev(4, 40)];
    expect(ids(appendPage(list, [ev(4, 40), ev(3, 30), ev(2, 20)]))).toEqual([5, 4, 3, 2]);
    expect(appendPage(list, [])).toBe(list);
    expect(ids(appendPage([], [ev(2, 20)]))).toEqual([2]);
  });
});

describe('listReducer', () => {
  const run = (actions: ListAction[], from: ListState = INITIAL_LIST) => actions.reduce(listReducer, from);
  const first: ListAction = { type: 'first', page: { events: [ev(5, 50), ev(4, 40)], nextCursor: '40000:4' } };

  it('loads the first page, then older pages', () => {
    const state = run([{ type: 'reset' }, first, { type: 'moreStart' }, { type: 'more', page: { events: [ev(3, 30)], nextCursor: null } }]);
    expect(ids(state.events)).toEqual([5, 4, 3]);
    expect(state).toMatchObject({ phase: 'ready', loadingMore: false, nextCursor: null });
  });

  it('keeps live events that arrive before the first page, without duplicates', () => {
    const state = run([{ type: 'reset' }, { type: 'live', events: [ev(5, 50), ev(6, 60)] }, first]);
    expect(ids(state.events)).toEqual([6, 5, 4]);
    expect(state.early).toEqual([]);
  });

  it('prepends live events while following, holds them while scrolled down', () => {
    let state = run([{ type: 'reset' }, first, { type: 'live', events: [ev(6, 60)] }]);
    expect(ids(state.events)).toEqual([6, 5, 4]);
    state = run([{ type: 'follow', following: false }, { type: 'live', events: [ev(7, 70), ev(8, 80)] }, { type: 'live', events: [ev(6, 60)] }], state);
    expect(ids(state.events)).toEqual([6, 5, 4]);
    expect(ids(state.pending)).toEqual([8, 7]);
    state = run([{ type: 'follow', following: true }], state);
    expect(ids(state.events)).toEqual([8, 7, 6, 5, 4]);
    expect(state.pending).toEqual([]);
  });

  it('flushes held events on request and follows again', () => {
    const state = run([{ type: 'reset' }, first, { type: 'follow', following: false }, { type: 'live', events: [ev(9, 90)] }, { type: 'flush' }]);
    expect(ids(state.events)).toEqual([9, 5, 4]);
    expect(state.following).toBe(true);
  });

  it('records failures of the first and later pages separately', () => {
    expect(run([{ type: 'reset' }, { type: 'firstError', error: 'HTTP 500' }])).toMatchObject({ phase: 'error', error: 'HTTP 500' });
    expect(run([{ type: 'reset' }, first, { type: 'moreStart' }, { type: 'moreError', error: 'offline' }])).toMatchObject({ phase: 'ready', moreError: 'offline', loadingMore: false });
  });

  it('starts over on reset, at the top', () => {
    const state = run([{ type: 'reset' }, first, { type: 'follow', following: false }, { type: 'reset' }]);
    expect(state).toMatchObject({ phase: 'loading', events: [], following: true, pending: [] });
  });
});
