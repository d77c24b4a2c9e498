import type { EventPage, HistoryEvent } from './events';

/** Order of the timeline: newest first, by time then id (as the events API pages). Negative when `a` comes first. */
export function compareNewestFirst(a: HistoryEvent, b: HistoryEvent): number {
  return Date.parse(b.at) - Date.parse(a.at) || b.id - a.id;
}

/** Where `event` goes in a newest-first list, and whether it is there already. */
export function positionOf(list: readonly HistoryEvent[], event: HistoryEvent): { index: number; found: boolean } {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = list[middle];
    if (other === undefined) break;
    const order = compareNewestFirst(other, event);
    if (order === 0) return { index: middle, found: true };
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return { index: low, found: false };
}

/**
 * Merges events (any order) into a newest-first list, skipping those already in it. When the
 * list is not `complete` (older pages remain to load), an event older than its last one is
 * skipped too: it arrives with its page. Returns the same list object when nothing changed.
 */
export function mergeEvents(list: readonly HistoryEvent[], incoming: readonly HistoryEvent[], complete: boolean): readonly HistoryEvent[] {
  if (incoming.length === 0) return list;
  const sorted = [...incoming].sort(compareNewestFirst);
  const head = list[0];
  // The usual case (live events newer than everything shown): one concatenation.
  const last = sorted[sorted.length - 1];
  if (head === undefined || (last !== undefined && compareNewestFirst(last, head) < 0)) {
    const fresh = sorted.filter((event, index) => index === 0 || compareNewestFirst(sorted[index - 1] as HistoryEvent, event) !== 0);
    return head === undefined ? fresh : [...fresh, ...list];
  }
  let next: HistoryEvent[] | null = null;
  for (const event of sorted) {
    const target = next ?? list;
    const { index, found } = positionOf(target, event);
    if (found || (!complete && index >= target.length)) continue;
    next ??= [...list];
    next.splice(index, 0, event);
  }
  return next ?? list;
}

/** Appends the next (older) page: only what is strictly older than the list's last event. */
export function appendPage(list: readonly HistoryEvent[], page: readonly HistoryEvent[]): readonly HistoryEvent[] {
  const tail = list[list.length - 1];
  const older = tail === undefined ? page : page.filter((event) => compareNewestFirst(tail, event) < 0);
  return older.length === 0 ? list : list.concat(older);
}

/** Live events held while the reader is scrolled down; beyond this the oldest held are dropped. */
const MAX_PENDING = 10_000;

export interface ListState {
  events: readonly HistoryEvent[];
  nextCursor: string | null;
  phase: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  loadingMore: boolean;
  moreError: string | null;
  /** Live events that arrived before the first page. */
  early: HistoryEvent[];
  /** Live events held back while the reader is scrolled away from the top (newest first). */
  pending: readonly HistoryEvent[];
  /** The reader is at the top: live events go straight into the list. */
  following: boolean;
}

export type ListAction =
  | { type: 'reset' }
  | { type: 'first'; page: EventPage }
  | { type: 'firstError'; error: string }
  | { type: 'moreStart' }
  | { type: 'more'; page: EventPage }
  | { type: 'moreError'; error: string }
  | { type: 'live'; events: readonly HistoryEvent[] }
  | { type: 'follow'; following: boolean }
  | { type: 'flush' };

export const INITIAL_LIST: ListState = { events: [], nextCursor: null, phase: 'idle', error: null, loadingMore: false, moreError: null, early: [], pending: [], following: true };

const flushed = (state: ListState): ListState =>
  state.pending.length === 0 ? state : { ...state, events: mergeEvents(state.events, state.pending, state.nextCursor === null), pending: [] };

/** The timeline's list: pages from the API, older ones appended, live events merged in (or held while scrolled down). */
export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'reset':
      return { ...INITIAL_LIST, phase: 'loading' };
    case 'first': {
      const { events, nextCursor } = action.page;
      return { ...state, phase: 'ready', error: null, events: mergeEvents(events, state.early, nextCursor === null), nextCursor, early: [] };
    }
    case 'firstError':
      return { ...state, phase: 'error', error: action.error };
    case 'moreStart':
      return { ...state, loadingMore: true, moreError: null };
    case 'more':
      return { ...state, loadingMore: false, events: appendPage(state.events, action.page.events), nextCursor: action.page.nextCursor };
    case 'moreError':
      return { ...state, loadingMore: false, moreError: action.error };
    case 'live': {
      if (action.events.length === 0) return state;
      if (state.phase !== 'ready') return state.phase === 'loading' ? { ...state, early: [...state.early, ...action.events].slice(-MAX_PENDING) } : state;
      if (state.following) {
        const events = mergeEvents(state.events, action.events, state.nextCursor === null);
        return events === state.events ? state : { ...state, events };
      }
      const unseen = action.events.filter((event) => !positionOf(state.events, event).found);
      const pending = mergeEvents(state.pending, unseen, true);
      return pending === state.pending ? state : { ...state, pending: pending.slice(0, MAX_PENDING) };
    }
    case 'follow':
      if (state.following === action.following) return state;
      return action.following ? flushed({ ...state, following: true }) : { ...state, following: false };
    case 'flush':
      return flushed({ ...state, following: true });
  }
}

