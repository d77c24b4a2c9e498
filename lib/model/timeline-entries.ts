import { GONE_UNWATCHED, PRESENT_AT_START, type HistoryEvent } from './events';
import { distinguishingTail } from './middle-ellipsis';

/** Fewer consecutive events of one fold than this stay rows of their own. */
export const MIN_FOLDED_RUN = 3;

/**
 * What a run of events folds as: first passes; the registrations of Switchyard's first list (the
 * fleet as it found it: every instance, at each start); deregistrations a relist found (an instance
 * gone while Switchyard was not watching: after a restart, every instance that went meanwhile, in
 * one burst). Recoveries, failures, and registrations and deregistrations seen as they happened
 * (a deploy's record) never fold.
 */
export type Fold = 'first-pass' | 'present-at-start' | 'gone-unwatched';

/** A line of the timeline: an event, or a run of events of one fold as one line. */
export type TimelineEntry =
  | { type: 'event'; event: HistoryEvent; /** The open group it is listed under. */ group?: string }
  | { type: 'group'; key: string; fold: Fold; events: readonly HistoryEvent[]; open: boolean };

/**
 * An instance's first verdict, passing (`unknown → passing`): every instance says it once after it
 * registers and again after Switchyard restarts (health is not carried over), so after a restart
 * of a 500-instance fleet it was the first 500 lines of the timeline. Not a recovery: that starts
 * from warning or critical.
 */
export const isFirstPass = (event: HistoryEvent): boolean => event.kind === 'health.changed' && event.from === 'unknown' && event.to === 'passing';

export function foldOf(event: HistoryEvent): Fold | undefined {
  if (isFirstPass(event)) return 'first-pass';
  if (event.kind === 'instance.registered' && event.detail.startsWith(PRESENT_AT_START)) return 'present-at-start';
  if (event.kind === 'instance.deregistered' && event.detail === GONE_UNWATCHED) return 'gone-unwatched';
  return undefined;
}

/**
 * The timeline's lines from its events (newest first): each run of MIN_FOLDED_RUN or more
 * consecutive events of one fold becomes one group line, followed by its events when the group is
 * open. A group is known by its fold and oldest event (`first-pass:<id>`), which live events
 * arriving above it do not change, so it stays open while it grows.
 */
export function timelineEntries(events: readonly HistoryEvent[], open: ReadonlySet<string>): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let index = 0;
  while (index < events.length) {
    const fold = foldOf(events[index] as HistoryEvent);
    let end = index + 1;
    if (fold !== undefined) while (end < events.length && foldOf(events[end] as HistoryEvent) === fold) end += 1;
    if (fold !== undefined && end - index >= MIN_FOLDED_RUN) {
      const run = events.slice(index, end);
      const key = `${fold}:${(run[run.length - 1] as HistoryEvent).id}`;
      const isOpen = open.has(key);
      entries.push({ type: 'group', key, fold, events: run, open: isOpen });
      if (isOpen) for (const event of run) entries.push({ type: 'event', event, group: key });
    } else for (let at = index; at < end; at += 1) entries.push({ type: 'event', event: events[at] as HistoryEvent });
    index = end;
  }
  return entries;
}

const number = new Intl.NumberFormat('en');

/**
 * How many events the timeline holds and, where runs are folded, how many of them are grouped into how
 * many rows, and how many of those rows are open (their events listed under them): "78 events · 64 grouped
 * into 2 rows", "… into 2 rows, 1 open". "82 events in 21 lines" left the reader to work out where the other
 * events went; "1,200 grouped into 1 row" above the 1,200 rows an open group lists said they were still folded.
 */
export function timelineCount(eventCount: number, entries: readonly TimelineEntry[]): string {
  const events = `${number.format(eventCount)} ${eventCount === 1 ? 'event' : 'events'}`;
  const groups = entries.filter((entry) => entry.type === 'group');
  if (groups.length === 0) return events;
  const grouped = groups.reduce((sum, group) => sum + group.events.length, 0);
  const open = groups.filter((group) => group.open).length;
  const opened = open === 0 ? '' : open === groups.length ? (open === 1 ? ', open' : ', all open') : `, ${number.format(open)} open`;
  return `${events} · ${number.format(grouped)} grouped into ${number.format(groups.length)} ${groups.length === 1 ? 'row' : 'rows'}${opened}`;
}

/**
 * How many characters of its end each service's instance ids keep when a row cuts one in its middle
 * (`MiddleTruncate`): as many as tell that service's ids in the loaded events apart (`distinguishingTail`, as
 * the Instances table and the map's panel choose theirs). Per service, since a row names its service beside
 * its instance. A fixed 6 drew 10.0.1.12:20880 and 10.0.2.12:20880 both '10.0.…:20880'. Keyed by service
 * ('' for events of none).
 */
export function instanceTails(events: readonly HistoryEvent[]): Map<string, number> {
  const idsByService = new Map<string, Set<string>>();
  for (const { service = '', instance } of events) {
    if (instance === undefined) continue;
    const ids = idsByService.get(service);
    if (ids) ids.add(instance);
    else idsByService.set(service, new Set([instance]));
  }
  return new Map([...idsByService].map(([service, ids]) => [service, distinguishingTail(ids)]));
}

/** What a group line says: how many instances of how many services, over which span. */
export interface GroupSummary {
  instances: number;
  /** The one service when they all belong to it. */
  service?: string;
  services: number;
  newest: string;
  oldest: string;
}

export function summarizeGroup(events: readonly HistoryEvent[]): GroupSummary {
  const instances = new Set<string>();
  const services = new Set<string>();
  for (const event of events) {
    instances.add(`${event.service ?? ''}\u0000${event.instance ?? ''}`);
    if (event.service !== undefined) services.add(event.service);
  }
  const [only] = services;
  return {
    instances: instances.size,
    ...(services.size === 1 && only !== undefined ? { service: only } : {}),
    services: services.size,
    newest: events[0]?.at ?? '',
    oldest: events[events.length - 1]?.at ?? '',
  };
}
