import type { HistoryEvent } from './events';

/** Fewer consecutive first passes than this stay rows of their own. */
export const MIN_FIRST_PASS_GROUP = 3;

/** A line of the timeline: an event, or a run of first passes folded into one line. */
export type TimelineEntry =
  | { type: 'event'; event: HistoryEvent; /** The open group it is listed under. */ group?: string }
  | { type: 'group'; key: string; events: readonly HistoryEvent[]; open: boolean };

/**
 * An instance's first verdict, passing (`unknown → passing`): every instance says it once after it
 * registers and again after Switchyard restarts (health is not carried over), so after a restart
 * of a 500-instance fleet it was the first 500 lines of the timeline. Not a recovery: that starts
 * from warning or critical.
 */
export const isFirstPass = (event: HistoryEvent): boolean => event.kind === 'health.changed' && event.from === 'unknown' && event.to === 'passing';

/**
 * The timeline's lines from its events (newest first): each run of MIN_FIRST_PASS_GROUP or more
 * consecutive first passes becomes one group line, followed by its events when the group is open.
 * A group is known by its oldest event (`first-pass:<id>`), which live events arriving above it do
 * not change, so it stays open while it grows.
 */
export function timelineEntries(events: readonly HistoryEvent[], open: ReadonlySet<string>): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let index = 0;
  while (index < events.length) {
    let end = index;
    while (end < events.length && isFirstPass(events[end] as HistoryEvent)) end += 1;
    if (end - index >= MIN_FIRST_PASS_GROUP) {
      const run = events.slice(index, end);
      const key = `first-pass:${(run[run.length - 1] as HistoryEvent).id}`;
      const isOpen = open.has(key);
      entries.push({ type: 'group', key, events: run, open: isOpen });
      if (isOpen) for (const event of run) entries.push({ type: 'event', event, group: key });
      index = end;
      continue;
    }
    // A short run of first passes, or one other event.
    for (const stop = Math.max(end, index + 1); index < stop; index += 1) entries.push({ type: 'event', event: events[index] as HistoryEvent });
  }
  return entries;
}

/** What a group line says: how many instances of how many services, over which span. */
export interface FirstPassSummary {
  instances: number;
  /** The one service when they all belong to it. */
  service?: string;
  services: number;
  newest: string;
  oldest: string;
}

export function summarizeFirstPasses(events: readonly HistoryEvent[]): FirstPassSummary {
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
