import type { EventKind, HistoryEvent } from '@/lib/model/events';
import { isLeaseExpiry } from '@/lib/model/incidents';
import { StatusSchema, type Status } from '@/lib/model/instance';
import { isStillServingLoss, STAND_IN_WORDS, standInHeading } from '@/lib/model/status/lost';
import type { Observed } from '@/lib/model/uptime';
import { formatDuration } from '@/lib/model/duration';

export const KIND_LABELS: Record<EventKind, string> = {
  'instance.registered': 'Registered',
  'instance.deregistered': 'Deregistered',
  'health.changed': 'Health changed',
  'instance.lost': 'Lost',
  'instance.lost_cleared': 'Loss cleared',
  'instance.drained': 'Drained',
  'instance.undrained': 'Undrained',
  'registry.disconnected': 'etcd disconnected',
  'registry.reconnected': 'etcd reconnected',
  'registry.resynced': 'Registry relisted',
  'history.gap': 'History gap',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Sign-in refused',
  'auth.locked': 'Account locked',
  'auth.logout': 'Signed out',
  'auth.user_changed': 'User changed',
  'auth.token_created': 'Token created',
  'auth.token_revoked': 'Token revoked',
  'alert.fired': 'Alert fired',
  'alert.resolved': 'Alert resolved',
  'alert.suppressed': 'Alert suppressed',
  'alert.delivery_failed': 'Alert not delivered',
  'alert.silenced': 'Alerts silenced',
  'alert.silence_ended': 'Silence lifted',
  'alert.acknowledged': 'Alert acknowledged',
  'alert.unacknowledged': 'Acknowledgement ended',
};

/**
 * An event's label: its kind's, except a loss of an instance still serving (its check found it
 * answering after its key went), which is "Out of discovery", as its row on the service page says.
 */
export function eventLabel(event: Pick<HistoryEvent, 'kind' | 'detail'>): string {
  if (event.kind === 'instance.lost' && isStillServingLoss(event.detail)) return standInHeading('unlisted');
  return KIND_LABELS[event.kind];
}

/**
 * A kind's name in History's kind filter. `instance.lost` is both a gone process ("Lost") and one
 * still serving out of discovery (its rows say which, `eventLabel`): the filter names both, so a
 * reader asking for losses is told that instances still serving come too — "Lost" alone handed them
 * over under a word that says restart them. Not two options: the events API, its paging and its
 * exports filter by the stored kind, which the two share (what tells them apart is the row's detail).
 */
export function kindFilterLabel(kind: EventKind): string {
  if (kind === 'instance.lost') return `${standInHeading('lost')} or ${STAND_IN_WORDS.unlisted}`;
  return KIND_LABELS[kind];
}

/** How an event reads at a glance: shown by an accent colour next to the kind's own icon and label. */
export type EventTone = 'bad' | 'warn' | 'good' | 'info';

export function eventTone(event: Pick<HistoryEvent, 'kind' | 'to' | 'detail'>): EventTone {
  switch (event.kind) {
    case 'health.changed':
      return event.to === 'critical' ? 'bad' : event.to === 'warning' ? 'warn' : event.to === 'passing' ? 'good' : 'info';
    case 'instance.deregistered':
      return isLeaseExpiry(event.detail) ? 'bad' : 'info';
    case 'instance.lost':
      // Still serving, out of discovery: amber as on its service page and the map; red is a gone process.
      return isStillServingLoss(event.detail) ? 'warn' : 'bad';
    case 'registry.disconnected':
    case 'auth.locked':
    case 'alert.fired':
    case 'alert.delivery_failed':
      return 'bad';
    case 'auth.login_failed':
    case 'auth.token_revoked':
      return 'warn';
    case 'history.gap':
    case 'instance.drained':
      return 'warn';
    case 'registry.reconnected':
    case 'instance.registered':
    case 'instance.lost_cleared':
    case 'alert.resolved':
      return 'good';
    default:
      return 'info';
  }
}

/** A status string from an event (`from`/`to`), when it is one. */
export function statusOf(value: string | undefined): Status | null {
  const parsed = StatusSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * What an uptime figure covers: "over the last 24 hours", or — when the status was known for less
 * of the window (Switchyard started, or the service appeared, within it) — "over 1 min 5 s observed
 * in the last 24 hours": 47.5 % "over the last 24 hours" after a minute of watching read as a day of outages.
 */
export function uptimeCoverage(observedMs: number, windowMs: number, windowTitle: string): string {
  if (!(observedMs < 0.99 * windowMs)) return `over the ${windowTitle}`;
  if (!(observedMs > 0)) return `nothing observed in the ${windowTitle}`;
  return `over ${formatDuration(observedMs)} observed in the ${windowTitle}`;
}

/** "100%", "99.95%", "0%": never rounded up to 100% while anything was down; "—" when nothing was known. */
export function formatUptime(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  if (ratio >= 1) return '100%';
  const floored = Math.floor(Math.max(0, ratio) * 10_000) / 100;
  return `${floored.toFixed(floored >= 10 ? 2 : 1).replace(/\.?0+$/, '')}%`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dateMinute = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const minute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Mar 3, 14:03:12" in the reader's locale and timezone (call in the browser only). */
export function formatEventTime(at: string | number): string {
  return dateTime.format(new Date(at));
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "Mar 3, 14:00 – 14:30", or both dates when the range crosses midnight (browser only). */
export function formatTimeRange(fromMs: number, toMs: number): string {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  return `${dateMinute.format(from)} – ${sameDay(from, to) ? minute.format(to) : dateMinute.format(to)}`;
}

export const OBSERVED_LABELS: Record<Observed, string> = {
  passing: 'Passing',
  warning: 'Warning',
  critical: 'Critical',
  unknown: 'Unknown (not probed)',
  none: 'No data (not registered or not watched)',
};

/** How many cells of a strip had each status, for a one-line summary. */
export function stripSummary(cells: readonly Observed[]): string {
  const counts = new Map<Observed, number>();
  for (const cell of cells) counts.set(cell, (counts.get(cell) ?? 0) + 1);
  const order: Observed[] = ['critical', 'warning', 'passing', 'unknown', 'none'];
  return order
    .filter((status) => (counts.get(status) ?? 0) > 0)
    .map((status) => `${counts.get(status)} ${status === 'none' ? 'without data' : status}`)
    .join(', ');
}

/** `datetime-local` value ("2026-03-03T14:03") for an ISO time, in the reader's timezone. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO time for a `datetime-local` value (read as the reader's local time); '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  if (value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
