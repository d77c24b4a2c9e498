'use client';

import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { HistoryEvent } from '@/lib/model/events';
import { eventsUrl, FAILURE_KINDS, failureList, mergeFailureRows } from '@/lib/model/history-query';
import { errorText, fetchJson, parseEventPage } from './historyApi';
import { useHistoryFeed } from './useHistoryFeed';

/** Candidate events read to find the latest failures (health changes include recoveries). */
const SCAN = 1_000;

export interface FailuresView {
  /** Newest first; null until loaded. */
  events: readonly HistoryEvent[] | null;
  error: string | null;
  retry: () => void;
}

/** The service's latest `count` failures (`failureList`: turned critical, lost, or lease expired), kept current from the socket. */
export function useHistoryFailures(service: string, count = 10): FailuresView {
  /** The latest rows a failure may be read from, newest first: a loss hides its deregistration when both are here. */
  const [rows, setRows] = useState<readonly HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);
  const url = useMemo(() => eventsUrl({ service, kinds: FAILURE_KINDS }, { limit: SCAN }), [service]);

  const load = useCallback(
    (signal?: AbortSignal) =>
      fetchJson(url, signal)
        .then(parseEventPage)
        .then(
          (page) => {
            setRows((current) => mergeFailureRows(current ?? [], page.events, service, SCAN));
            setError(null);
          },
          (failure: unknown) => {
            if (!signal?.aborted) setError(errorText(failure));
          },
        ),
    [url, service],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, attempt]);

  useHistoryFeed({
    onEvents: (incoming) => {
      // The same rows as a page gives (`mergeFailureRows`): a loss's own deregistration arrives live too.
      setRows((current) => (current === null ? current : mergeFailureRows(current, incoming, service, SCAN)));
    },
    onReconnect: () => void load(),
  }, true, service, true);

  const events = useMemo(() => (rows === null ? null : failureList(rows).slice(0, count)), [rows, count]);
  return { events, error, retry };
}
