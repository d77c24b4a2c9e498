'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { WINDOWS, type InstanceLatency, type LatencyPoint, type LatencyWindow } from '@/lib/model/latency';
import { pathSegment } from '@/lib/model/path-segment';

/** `GET /api/v1/services/{service}/latency` */
export interface ServiceLatency {
  service: string;
  window: LatencyWindow;
  stepSeconds: number;
  points: LatencyPoint[];
  /** Reports of the slots from here (ms) are still arriving; null (or absent, from an older server) when none are. */
  arrivingFrom?: number | null;
}

/** `GET /api/v1/services/{service}/instances/latency` */
export interface InstancesLatency {
  service: string;
  window: LatencyWindow;
  stepSeconds: number;
  instances: InstanceLatency[];
}

export interface LatencyView<T> {
  /** The newest response; it may belong to the previous window while the new one loads. */
  data: T | null;
  /** A request for the current URL has not answered yet. */
  loading: boolean;
  /** Why the last refresh failed; cleared by the next success. */
  error: string | null;
  /** Browser time (ms) of the last successful refresh. */
  updatedAt: number | null;
  /** Fetches again now (the polling goes on either way). */
  retry: () => void;
}

/** A polled view that can also be asked for a fresher answer than the polling's next one. */
export interface PolledView<T> extends LatencyView<T> {
  /**
   * Fetches again, keeping a request under way (a new one waits for its answer) and never sooner
   * than `refetchGap` after the previous answer (a time, or one of the last request's duration):
   * `retry` drops the request under way, so asked every 2 s of an outage it dropped each analysis
   * slower than that, and nothing ever arrived. Not sooner than `atLeastMs` from now either (a
   * reconnect's random spread).
   */
  refetch: (atLeastMs?: number) => void;
}

/** 1 s slots change every second: every 2 s. Minute slots: every 30 s. */
export function refreshIntervalMs(window: LatencyWindow): number {
  return WINDOWS[window].stepSeconds === 1 ? 2_000 : 30_000;
}

export function serviceLatencyUrl(service: string, window: LatencyWindow): string {
  return `/api/v1/services/${pathSegment(service)}/latency?window=${window}`;
}

export function instancesLatencyUrl(service: string, window: LatencyWindow): string {
  return `/api/v1/services/${pathSegment(service)}/instances/latency?window=${window}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function parseServiceLatency(body: unknown): ServiceLatency {
  if (!isObject(body) || !Array.isArray(body.points) || typeof body.stepSeconds !== 'number') throw new Error('unexpected response');
  return body as unknown as ServiceLatency;
}

function parseInstancesLatency(body: unknown): InstancesLatency {
  if (!isObject(body) || !Array.isArray(body.instances) || typeof body.stepSeconds !== 'number') throw new Error('unexpected response');
  return body as unknown as InstancesLatency;
}

/** The message of an API error body (`{"error":{"message"}}`), else the HTTP status. */
function failureMessage(response: Response, text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body) && isObject(body.error) && typeof body.error.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

interface Loaded<T> {
  url: string;
  data: T | null;
  error: string | null;
  updatedAt: number | null;
}

/**
 * Fetches `url`, then again every `intervalMs` after each answer (never two requests at once).
 * Aborts on unmount and URL change; stops while the tab is hidden and refreshes at once when it
 * shows again. An unchanged body keeps the same `data` object, so memoised charts skip.
 * One state update per answer: at a 2 s interval that is 0.5 renders per second.
 */
export function usePolledJson<T>(url: string, intervalMs: number, parse: (body: unknown) => T, refetchGap: number | ((lastRequestMs: number) => number) = 0): PolledView<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ url, data: null, error: null, updatedAt: null });
  const [attempt, setAttempt] = useState(0);
  const refetchHere = useRef<(atLeastMs?: number) => void>(() => undefined);

  useEffect(() => {
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timerDueAt = 0;
    let answeredAt = -Infinity;
    let lastRequestMs = 0;
    const refetchGapMs = (): number => (typeof refetchGap === 'number' ? refetchGap : refetchGap(lastRequestMs));
    let refetchWanted = false;
    let lastBody: string | undefined;
    let stopped = false;

    const schedule = (delayMs: number): void => {
      if (stopped || timer !== undefined || controller !== undefined) return;
      if (document.visibilityState === 'hidden') return;
      timerDueAt = Date.now() + delayMs;
      timer = setTimeout(() => {
        timer = undefined;
        void refresh();
      }, delayMs);
    };
    refetchHere.current = (atLeastMs = 0) => {
      if (controller !== undefined) {
        // The answer under way may be older than what asks again: one more request after it.
        refetchWanted = true;
        return;
      }
      const delayMs = Math.max(atLeastMs, answeredAt + refetchGapMs() - Date.now());
      if (timer !== undefined && timerDueAt <= Date.now() + delayMs) return;
      clearTimeout(timer);
      timer = undefined;
      schedule(delayMs);
    };

    const refresh = async (): Promise<void> => {
      const request = new AbortController();
      controller = request;
      const startedAt = Date.now();
      try {
        const response = await fetch(url, { signal: request.signal, cache: 'no-store', headers: { accept: 'application/json' } });
        const text = await response.text();
        if (!response.ok) throw new Error(failureMessage(response, text));
        // lastBody is per URL: an unchanged body can only be a repeat for this same URL.
        const data = text === lastBody ? undefined : parse(JSON.parse(text));
        lastBody = text;
        setLoaded((current) => ({ url, data: data ?? current.data, error: null, updatedAt: Date.now() }));
      } catch (error) {
        if (request.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        setLoaded((current) => ({ url, data: current.data, error: message, updatedAt: current.url === url ? current.updatedAt : null }));
      } finally {
        if (controller === request) controller = undefined;
      }
      answeredAt = Date.now();
      lastRequestMs = answeredAt - startedAt;
      const again = refetchWanted;
      refetchWanted = false;
      schedule(again ? refetchGapMs() : intervalMs);
    };

    const onVisibility = (): void => {
      if (document.visibilityState === 'hidden') {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      } else {
        schedule(0);
      }
    };

    document.addEventListener('visibilitychange', onVisibility);
    schedule(0);
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', onVisibility);
      if (timer !== undefined) clearTimeout(timer);
      controller?.abort();
    };
  }, [url, intervalMs, parse, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const refetch = useCallback((atLeastMs?: number) => refetchHere.current(atLeastMs), []);
  const current = loaded.url === url;
  const data = loaded.data;
  const loading = !current || (loaded.updatedAt === null && loaded.error === null);
  const error = current ? loaded.error : null;
  const updatedAt = current ? loaded.updatedAt : null;
  // One object per answer, so a component memoised on it skips the renders in between.
  return useMemo(() => ({ data, loading, error, updatedAt, retry, refetch }), [data, loading, error, updatedAt, retry, refetch]);
}

/** p50/p95/p99, rate and errors of the calls a service receives, for the chosen window, live. */
export function useServiceLatency(service: string, window: LatencyWindow): LatencyView<ServiceLatency> {
  return usePolledJson(serviceLatencyUrl(service, window), refreshIntervalMs(window), parseServiceLatency);
}

/** Inbound and probe series of each registered instance of a service, live. */
export function useInstancesLatency(service: string, window: LatencyWindow): LatencyView<InstancesLatency> {
  return usePolledJson(instancesLatencyUrl(service, window), refreshIntervalMs(window), parseInstancesLatency);
}
