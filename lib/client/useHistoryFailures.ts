'use client';

import { useCallback, useEffect, useMemo, useReducer } from 'react';
import type { HistoryEvent } from '@/lib/model/events';
import { failureList } from '@/lib/model/history-query';
import { failureRowsReducer, initialFailureRows, loadFailureRows, shownFor } from './failureRows';
import { errorText, fetchJson } from './historyApi';
import { useHistoryFeed } from './useHistoryFeed';

export interface FailuresView {
  /** Newest first; null until loaded. */
  events: readonly HistoryEvent[] | null;
  error: string | null;
  retry: () => void;
}

/**
 * The service's latest `count` failures (`failureList`: turned critical, lost, or lease expired), kept current from the socket.
 * The rows belong to the service they were fetched for (`failureRowsReducer`): another service's never show, however late they arrive.
 */
export function useHistoryFailures(service: string, count = 10): FailuresView {
  const [state, dispatch] = useReducer(failureRowsReducer, service, initialFailureRows);
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        dispatch(await loadFailureRows(service, fetchJson, signal));
      } catch (failure: unknown) {
        if (!signal?.aborted) dispatch({ type: 'error', service, message: errorText(failure) });
      }
    },
    [service],
  );

  useEffect(() => {
    dispatch({ type: 'show', service });
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [service, load, attempt]);

  useHistoryFeed({
    // The same rows as a page gives (`mergeFailureRows`): a loss's own deregistration arrives live too.
    onEvents: (incoming) => dispatch({ type: 'live', events: incoming }),
    onReconnect: () => void load(),
  }, true, service, true);

  const { rows, error } = shownFor(state, service);
  const events = useMemo(() => (rows === null ? null : failureList(rows.rows, rows.older).slice(0, count)), [rows, count]);
  return { events, error, retry };
}
