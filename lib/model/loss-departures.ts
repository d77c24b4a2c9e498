import type { HistoryEvent } from './events';
import { isLeaseExpiry } from './incidents';
import { isStillServingLoss, isStoppedAnsweringLoss } from './status/lost';

const instanceOf = (event: HistoryEvent): string => `${event.service ?? ''}\u0000${event.instance ?? ''}`;

/** A row as pairing reads it: its time parsed once (a crash loop has thousands). */
interface TimedRow {
  ms: number;
  event: HistoryEvent;
}

/** Index of the first of `rows` (ascending by `ms`) at or after `ms`, or after `ms` when `strictly`; `rows.length` when none. */
function firstFrom(rows: readonly TimedRow[], ms: number, strictly: boolean): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const rowMs = (rows[middle] as TimedRow).ms;
    if (rowMs < ms || (strictly && rowMs === ms)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The lease-expiry deregistrations among `events` that a recorded loss accounts for, by id: the
 * removal of a lost instance's key, which the registry lifecycle writes as "lease … ended (revoked
 * or expired)" and the lost tracker judges a loss (lost/tracker.ts) — one departure, two rows.
 * Each `instance.lost` row pairs with a deregistration of the same service and instance, found by
 * when the tracker stamps the loss (`judgeDeparture`): a loss after failing probes is stamped at
 * the first failed probe, a never-probed one at the key's removal — both at or before the
 * deregistration, stamped once etcd answered on the lease — so it pairs with the first
 * deregistration at or after it; an instance found still serving is lost when its check ends,
 * seconds after its key went (`stillServingCause`), so it pairs with the last deregistration at or
 * before it; its later loss when it stops answering out of discovery (`stoppedAnsweringCause`)
 * pairs with nothing, its departure already its still-serving loss's. A deregistration pairs with
 * one loss at most; one whose lease ended with no loss
 * recorded (a graceful shutdown the check confirmed, a departure still being checked) is not here.
 * Events in any order; deregistrations of every detail should be given, so that a loss whose own
 * deregistration is not a lease expiry (etcd did not answer) does not take another's.
 */
export function lossDepartures(events: readonly HistoryEvent[]): Set<number> {
  return new Set(lossPairs(events).keys());
}

/** `lossDepartures` with the loss each deregistration pairs with: departure id → its `instance.lost` row. */
export function lossPairs(events: readonly HistoryEvent[]): Map<number, HistoryEvent> {
  const byInstance = new Map<string, { departures: TimedRow[]; losses: TimedRow[] }>();
  for (const event of events) {
    if (event.kind !== 'instance.deregistered' && event.kind !== 'instance.lost') continue;
    const key = instanceOf(event);
    let rows = byInstance.get(key);
    if (!rows) byInstance.set(key, (rows = { departures: [], losses: [] }));
    (event.kind === 'instance.lost' ? rows.losses : rows.departures).push({ ms: Date.parse(event.at), event });
  }
  const paired = new Map<number, HistoryEvent>();
  for (const { departures, losses } of byInstance.values()) {
    if (departures.length === 0 || losses.length === 0) continue;
    departures.sort((a, b) => a.ms - b.ms || a.event.id - b.event.id);
    // Each loss finds its departure by binary search: a crash loop's thousands of pairs stay n log n, not n².
    for (const loss of losses) {
      // Its departure is its still-serving loss's: this row came later, when the process died out of discovery.
      if (isStoppedAnsweringLoss(loss.event.detail)) continue;
      const departure = isStillServingLoss(loss.event.detail) ? departures[firstFrom(departures, loss.ms, true) - 1] : departures[firstFrom(departures, loss.ms, false)];
      if (departure && isLeaseExpiry(departure.event.detail)) paired.set(departure.event.id, loss.event);
    }
  }
  return paired;
}

/**
 * What the History timeline says for a deregistration in `lossDepartures`: the row stays (it is
 * the record), but "Deregistered — lease … ended" beside a loss read as a removal on purpose.
 */
export const lossDepartureDetail = (detail: string): string => `key gone with its loss, not removed on purpose — ${detail}`;
