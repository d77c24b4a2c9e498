'use client';

import { useCallback, useEffect, useMemo } from 'react';
import { mayChangeIncidents, type IncidentList } from '@/lib/model/incidents';
import type { UptimeReport, UptimeWindow } from '@/lib/model/uptime';
import type { EventFilter } from '@/lib/model/history-query';
import { usePolledJson, type LatencyView } from './useLatency';
import { pathSegment } from '@/lib/model/path-segment';
import { useHistoryFeed } from './useHistoryFeed';
import { uptimeFollower, uptimeRefetchGapMs, type ServiceStatusShown } from './uptimeFollow';

export type IncidentsResponse = IncidentList & { truncated?: boolean };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function parseIncidents(body: unknown): IncidentsResponse {
  if (!isObject(body) || !Array.isArray(body.incidents) || !isObject(body.mttrMs)) throw new Error('unexpected response');
  return body as unknown as IncidentsResponse;
}

export function parseUptime(body: unknown): UptimeReport {
  if (!isObject(body) || !Array.isArray(body.strip) || !Array.isArray(body.instances) || !isObject(body.window)) throw new Error('unexpected response');
  return body as unknown as UptimeReport;
}

export const INCIDENT_LIMIT = 200;

export function incidentsUrl(filter: Pick<EventFilter, 'service' | 'since' | 'until'>): string {
  const params = new URLSearchParams();
  if (filter.service) params.set('service', filter.service);
  if (filter.since) params.set('since', filter.since);
  if (filter.until) params.set('until', filter.until);
  params.set('limit', String(INCIDENT_LIMIT));
  return `/api/v1/incidents?${params.toString()}`;
}

export function uptimeUrl(service: string, window: UptimeWindow, buckets: number): string {
  return `/api/v1/services/${pathSegment(service)}/uptime?window=${window}&buckets=${buckets}`;
}

/** Least time between an answer and a request the history feed asked for (a fleet going down at once is one burst). */
export const INCIDENTS_REFETCH_MS = 2_000;

/** Longest wait before asking again after the socket reconnects: every tab reconnects at once after a Switchyard restart. */
export const RECONNECT_SPREAD_MS = 5_000;

/** A random wait in [0, RECONNECT_SPREAD_MS), so the tabs' requests after a restart are spread out. */
export const reconnectSpreadMs = (): number => Math.random() * RECONNECT_SPREAD_MS;

/**
 * Incidents (newest first) and MTTR per service in the filter's range, derived by the server from
 * history: fetched again as soon as a committed row that can open, join or close one arrives on
 * the history feed (never two requests at once, and at least INCIDENTS_REFETCH_MS after the
 * previous answer), and every 30 s. Polling alone showed "No incidents" for up to 30 s while the
 * header showed the failure.
 */
export function useHistoryIncidents(filter: EventFilter): LatencyView<IncidentsResponse> {
  const url = useMemo(() => incidentsUrl(filter), [filter]);
  const view = usePolledJson(url, 30_000, parseIncidents, INCIDENTS_REFETCH_MS);
  const { refetch } = view;
  const service = filter.service ?? '';
  useHistoryFeed(
    {
      onEvents: (events) => {
        if (events.some((event) => (service === '' || event.service === service) && mayChangeIncidents(event))) refetch();
      },
      onReconnect: () => refetch(reconnectSpreadMs()),
    },
    // A range that ends at a set time gains no new rows.
    filter.until === undefined,
    service,
  );
  return view;
}

/**
 * A service's uptime and heartbeat strips over the window: fetched again when the service's status
 * (its roll-up or lost count) moves and its rows are committed (`uptimeFollower`: not on every row
 * of every instance, ~25 full analyses a minute per tab in a flapping storm), spaced by
 * `uptimeRefetchGapMs`, and every minute. Polling alone showed "Uptime 100%" and a green "now" cell
 * for up to a minute beside a header saying the service was down.
 */
export function useHistoryUptime(service: string, window: UptimeWindow, buckets: number, shown: ServiceStatusShown | undefined): LatencyView<UptimeReport> {
  const refetchGap = useCallback((lastRequestMs: number) => uptimeRefetchGapMs(window, lastRequestMs), [window]);
  const view = usePolledJson(uptimeUrl(service, window, buckets), 60_000, parseUptime, refetchGap);
  const { refetch } = view;
  const follower = useMemo(() => uptimeFollower(service, refetch), [service, refetch]);
  const status = shown?.status;
  const lost = shown?.lost;
  useEffect(() => {
    follower.status(status === undefined ? undefined : { status, lost });
  }, [follower, status, lost]);
  useHistoryFeed({ onEvents: follower.events, onReconnect: () => refetch(reconnectSpreadMs()) }, true, service);
  return view;
}
