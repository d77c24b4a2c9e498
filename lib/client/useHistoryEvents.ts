'use client';

import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { INITIAL_LIST, listReducer, type ListState } from '@/lib/model/history-list';
import { eventsUrl, matchesFilter, type EventFilter } from '@/lib/model/history-query';
import { errorText, fetchJson, parseEventPage } from './historyApi';
import { useHistoryFeed } from './useHistoryFeed';

/** Events per request, as the timeline scrolls. */
export const PAGE_SIZE = 500;
/** The timeline stops loading older pages here (export has the rest). */
export const MAX_LOADED = 200_000;

export interface HistoryEventsView extends Omit<ListState, 'early' | 'pending'> {
  /** Live events held back while scrolled down. */
  pendingCount: number;
  /** More (older) events exist and the list may load them. */
  hasMore: boolean;
  /** The list reached MAX_LOADED and stopped loading older pages. */
  capped: boolean;
  loadMore: () => void;
  retry: () => void;
  /** Tells the list whether the reader is at the top (following live events). */
  setFollowing: (following: boolean) => void;
  /** Shows the held-back live events (the caller scrolls to the top). */
  showPending: () => void;
}

/**
 * The events matching `filter`, newest first: the first page at once, older pages on `loadMore`,
 * and live events from the socket (`history:events`) as they are committed. A new filter object
 * starts over; null (range not fixed yet) waits.
 */
export function useHistoryEvents(filter: EventFilter | null): HistoryEventsView {
  const [state, dispatch] = useReducer(listReducer, INITIAL_LIST);
  const latest = useRef(state);
  const more = useRef<AbortController | null>(null);
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);

  // Before any passive effect, a child's included: the timeline asks for the next page in its own
  // effect as soon as a page arrives, and must not find the last one still loading.
  useLayoutEffect(() => {
    latest.current = state;
  });

  useEffect(() => {
    if (filter === null) return;
    const controller = new AbortController();
    dispatch({ type: 'reset' });
    fetchJson(eventsUrl(filter, { limit: PAGE_SIZE }), controller.signal)
      .then(parseEventPage)
      .then(
        (page) => dispatch({ type: 'first', page }),
        (error: unknown) => {
          if (!controller.signal.aborted) dispatch({ type: 'firstError', error: errorText(error) });
        },
      );
    return () => {
      controller.abort();
      more.current?.abort();
      more.current = null;
    };
  }, [filter, attempt]);

  const capped = state.events.length >= MAX_LOADED;

  const loadMore = useCallback(() => {
    const current = latest.current;
    if (filter === null || current.phase !== 'ready' || current.loadingMore || current.moreError !== null) return;
    if (current.nextCursor === null || current.events.length >= MAX_LOADED) return;
    const controller = new AbortController();
    more.current = controller;
    // Marked at once, so scroll events before the next render do not ask twice.
    latest.current = { ...current, loadingMore: true };
    dispatch({ type: 'moreStart' });
    fetchJson(eventsUrl(filter, { limit: PAGE_SIZE, cursor: current.nextCursor }), controller.signal)
      .then(parseEventPage)
      .then(
        (page) => {
          if (!controller.signal.aborted) dispatch({ type: 'more', page });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) dispatch({ type: 'moreError', error: errorText(error) });
        },
      );
  }, [filter]);

  const retryMore = useCallback(() => {
    if (latest.current.moreError === null) return;
    latest.current = { ...latest.current, moreError: null };
    loadMore();
  }, [loadMore]);

  useHistoryFeed(
    {
      onEvents: (events) => {
        if (filter === null) return;
        const matching = events.filter((event) => matchesFilter(event, filter));
        if (matching.length > 0) dispatch({ type: 'live', events: matching });
      },
      // Events committed while the socket was down were not streamed: the newest page has them.
      onReconnect: () => {
        if (filter === null) return;
        fetchJson(eventsUrl(filter, { limit: PAGE_SIZE }))
          .then(parseEventPage)
          .then(
            (page) => dispatch({ type: 'live', events: page.events }),
            () => undefined,
          );
      },
    },
    filter !== null,
    filter?.service ?? '',
  );

  const setFollowing = useCallback((following: boolean) => dispatch({ type: 'follow', following }), []);
  const showPending = useCallback(() => dispatch({ type: 'flush' }), []);
  const retryAll = useCallback(() => (latest.current.moreError !== null && latest.current.phase === 'ready' ? retryMore() : retry()), [retryMore]);

  const { events, nextCursor, phase, error, loadingMore, moreError, following, pending } = state;
  return useMemo(
    () => ({
      events,
      nextCursor,
      phase,
      error,
      loadingMore,
      moreError,
      following,
      pendingCount: pending.length,
      hasMore: nextCursor !== null && !capped,
      capped: capped && nextCursor !== null,
      loadMore,
      retry: retryAll,
      setFollowing,
      showPending,
    }),
    [events, nextCursor, phase, error, loadingMore, moreError, following, pending.length, capped, loadMore, retryAll, setFollowing, showPending],
  );
}
