'use client';

import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { HistoryEvent } from '@/lib/model/events';
import { mergeEvents } from '@/lib/model/history-list';
import { eventsUrl, FAILURE_KINDS, isFailureEvent } from '@/lib/model/history-query';
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

/** The service's latest `count` failures (turned critical, or lease expired), kept current from the socket. */
export function useHistoryFailures(service: string, count = 10): FailuresView {
  const [events, setEvents] = useState<readonly HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);
  const url = useMemo(() => eventsUrl({ service, kinds: FAILURE_KINDS }, { limit: SCAN }), [service]);

  const load = useCallback(
    (signal?: AbortSignal) =>
      fetchJson(url, signal)
        .then(parseEventPage)
        .then(
          (page) => {
            setEvents((current) => mergeEvents(current ?? [], page.events.filter(isFailureEvent), true).slice(0, count));
            setError(null);
          },
          (failure: unknown) => {
            if (!signal?.aborted) setError(errorText(failure));
          },
        ),
    [url, count],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, attempt]);

  useHistoryFeed({
    onEvents: (incoming) => {
      const failures = incoming.filter((event) => event.service === service && isFailureEvent(event));
      if (failures.length > 0) setEvents((current) => (current === null ? current : mergeEvents(current, failures, true).slice(0, count)));
    },
    onReconnect: () => void load(),
  }, true, service, true);

  return { events, error, retry };
}
