'use client';

import { useMemo } from 'react';
import type { IncidentList } from '@/lib/model/incidents';
import type { UptimeReport, UptimeWindow } from '@/lib/model/uptime';
import type { EventFilter } from '@/lib/model/history-query';
import { usePolledJson, type LatencyView } from './useLatency';
import { pathSegment } from '@/lib/model/path-segment';

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

/** Incidents (newest first) and MTTR per service in the filter's range, refreshed every 30 s. */
export function useHistoryIncidents(filter: EventFilter): LatencyView<IncidentsResponse> {
  const url = useMemo(() => incidentsUrl(filter), [filter]);
  return usePolledJson(url, 30_000, parseIncidents);
}

/** A service's uptime and heartbeat strips over the window, refreshed every minute. */
export function useHistoryUptime(service: string, window: UptimeWindow, buckets: number): LatencyView<UptimeReport> {
  return usePolledJson(uptimeUrl(service, window, buckets), 60_000, parseUptime);
}
