import { clockSecondsBetween } from '@/lib/client/formatTime';
import { ownValue } from '@/lib/model/fleet-record';
import { formatDuration } from '@/lib/model/duration';
import type { FirstSign, Incident } from '@/lib/model/incidents';
import { FLAP_WINDOW_MS } from '@/lib/model/status/flapping';

export interface MttrRow {
  service: string;
  incidents: number;
  ongoing: number;
  /** Mean time to recovery of the closed incidents; null when none closed. */
  mttrMs: number | null;
}

/** Per service: incidents in the list, how many are still open, and MTTR (from the API, over the whole range). */
export function mttrRows(incidents: readonly Incident[], mttrMs: Readonly<Record<string, number | null>>): MttrRow[] {
  const rows = new Map<string, MttrRow>();
  // The record is parsed JSON: a key like "constructor" is read as an own property or not at all.
  for (const [service, mttr] of Object.entries(mttrMs)) rows.set(service, { service, incidents: 0, ongoing: 0, mttrMs: mttr });
  for (const incident of incidents) {
    const row = rows.get(incident.service) ?? { service: incident.service, incidents: 0, ongoing: 0, mttrMs: ownValue(mttrMs, incident.service) ?? null };
    row.incidents += 1;
    if (incident.closedAt === null) row.ongoing += 1;
    rows.set(incident.service, row);
  }
  return [...rows.values()]
    .filter((row) => row.incidents > 0 || row.mttrMs !== null)
    .sort((a, b) => b.ongoing - a.ongoing || b.incidents - a.incidents || (b.mttrMs ?? 0) - (a.mttrMs ?? 0) || a.service.localeCompare(b.service));
}

/** The events an incident covers: its service from its first sign (else from when it opened) until just after it closed (open-ended while ongoing). */
export function incidentRange(incident: Pick<Incident, 'openedAt' | 'closedAt'> & { firstSign: Pick<FirstSign, 'at'> | null }): { since: string; until?: string } {
  const since = incident.firstSign?.at ?? incident.openedAt;
  return incident.closedAt === null ? { since } : { since, until: new Date(Date.parse(incident.closedAt) + 1).toISOString() };
}

/** Where and why an incident started, as the list and the detail say it: its first failing instance and that failure's cause. */
export function incidentCauseLine(incident: Pick<Incident, 'instances' | 'cause'>): string {
  return `${incident.instances[0] ?? ''}: ${incident.cause}`;
}

/**
 * An incident in which an instance flapped (`Incident.flapping`, the service page's rule:
 * status/flapping.ts): "api-gateway-3: 8 changes into and out of critical within 10 min"; null otherwise.
 */
export function incidentFlapping(incident: Pick<Incident, 'flapping'>): string | null {
  const { flapping } = incident;
  return flapping ? `${flapping.instance}: ${flapping.changes} changes into and out of critical within ${formatDuration(FLAP_WINDOW_MS)}` : null;
}

/** Where the trouble showed first, before anything was critical: "First sign 15 s before: api-gateway-3 warning, error rate 10 %…"; null without one. */
export function firstSignLine(incident: Pick<Incident, 'openedAt' | 'firstSign'>): string | null {
  const sign = incident.firstSign;
  if (!sign) return null;
  return `First sign ${formatGap(Date.parse(sign.at), Date.parse(incident.openedAt))} before: ${firstSignWhat(sign)}`;
}

/** Which instance warned and why: "api-gateway-3 warning, error rate 10 %…". */
export const firstSignWhat = (sign: Pick<FirstSign, 'instance' | 'cause'>): string => `${sign.instance} warning, ${sign.cause}`;

/** When the upstream's incident opened, against this one's: "14 s before", "3 s after" (caught later); null without an upstream. */
export function upstreamLead(incident: Pick<Incident, 'openedAt' | 'upstream'>): string | null {
  if (!incident.upstream) return null;
  const opened = Date.parse(incident.openedAt);
  const upstreamOpened = Date.parse(incident.upstream.openedAt);
  return upstreamOpened <= opened ? `${formatGap(upstreamOpened, opened)} before` : `${formatGap(opened, upstreamOpened)} after`;
}

/**
 * The gap between two times the page shows as clocks, as those clocks read (clockSecondsBetween):
 * "12 s" between 14:39:32 and 14:39:44 whatever their milliseconds; within one second, the milliseconds.
 */
function formatGap(fromMs: number, toMs: number): string {
  const seconds = clockSecondsBetween(fromMs, toMs);
  return formatDuration(seconds === 0 ? toMs - fromMs : seconds * 1_000);
}

/**
 * How long an open incident has lasted so far, on the same clock as its "12 s ago" (formatAgo):
 * whole seconds between the clocks, and to the minute once past one, so it does not tick every second.
 */
export function ongoingForMs(openedAt: string, nowMs: number): number {
  const seconds = clockSecondsBetween(Date.parse(openedAt), nowMs);
  return seconds < 60 ? seconds * 1_000 : Math.floor(seconds / 60) * 60_000;
}

/** The incidents list's Peak, with its unit: "3 instances" failing at the same moment. */
export const peakLabel = (peak: number): string => `${peak} ${peak === 1 ? 'instance' : 'instances'}`;
