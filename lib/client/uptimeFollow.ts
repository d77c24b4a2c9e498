import type { HistoryEvent } from '@/lib/model/events';
import type { Status } from '@/lib/model/instance';
import { uptimeMayChange, type UptimeWindow } from '@/lib/model/uptime';

/** What the service page's header says of the service: its roll-up and lost instances. */
export interface ServiceStatusShown {
  status: Status;
  lost?: number;
}

export interface UptimeFollower {
  /** The service's live status, each time it may have changed (undefined while unknown). */
  status: (shown: ServiceStatusShown | undefined) => void;
  /** Committed rows from the service's history feed. */
  events: (events: readonly HistoryEvent[]) => void;
}

const keyOf = (shown: ServiceStatusShown | undefined): string => (shown === undefined ? '' : `${shown.status}/${shown.lost ?? 0}`);

/**
 * Decides when the service page asks for its uptime again: when the service's status (its roll-up or
 * its lost count) moved since the last ask and a status row of it has been committed, not on every
 * row: in a flapping storm each row of each instance asked, ~25 full analyses a minute per tab.
 * The figure comes from committed rows, so the status moving alone does not ask (its row may not be
 * committed yet); when it moves after rows came, one more ask follows on the next row, which may be
 * the one that moved it. A status that moves and moves back between rows is not followed (the
 * minute's poll takes it in).
 */
export function uptimeFollower(service: string, ask: () => void): UptimeFollower {
  let shown: string | undefined;
  let askedAt: string | undefined;
  let rowSinceAsk = false;
  let askOnNextRow = false;
  const askNow = (): void => {
    askedAt = shown;
    rowSinceAsk = false;
    ask();
  };
  return {
    status: (next) => {
      shown = keyOf(next);
      askedAt ??= shown;
      if (rowSinceAsk && shown !== askedAt) {
        askNow();
        askOnNextRow = true;
      }
    },
    events: (events) => {
      if (!uptimeMayChange(events, service)) return;
      if (askOnNextRow || (shown !== undefined && shown !== askedAt)) {
        askOnNextRow = false;
        askNow();
      } else {
        rowSinceAsk = true;
      }
    },
  };
}

/** Least gap between two asks per window: a 30 d analysis reads up to 30 times the rows of a 24 h one. */
const LEAST_REFETCH_GAP_MS: Record<UptimeWindow, number> = { '24h': 2_000, '7d': 10_000, '30d': 30_000 };

/** Time from an uptime answer to the next ask on the feed: twice the last request's duration, at least the window's least. */
export function uptimeRefetchGapMs(window: UptimeWindow, lastRequestMs: number): number {
  return Math.max(LEAST_REFETCH_GAP_MS[window], 2 * lastRequestMs);
}
