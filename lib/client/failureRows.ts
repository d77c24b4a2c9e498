import type { HistoryEvent } from '@/lib/model/events';
import { eventsUrl, FAILURE_KINDS, mergeFailureWindow, PAIRING_KINDS, PAIRING_MARGIN, withPairingRows, type FailureWindow } from '@/lib/model/history-query';
import { parseEventPage } from './historyApi';

/** Candidate events read to find the latest failures (health changes include recoveries). */
export const SCAN = 1_000;

/** The rows a service page's recent failures are read from, and the service they were fetched for. */
export interface FailureRows {
  service: string;
  /** The rows failures are listed from (at most SCAN) and the pairing rows past them; null until the service's first page arrived. */
  rows: FailureWindow | null;
  error: string | null;
}

export type FailureRowsAction =
  /** The page now shows `service`: rows of any other are dropped, and so are its answers still under way. */
  | { type: 'show'; service: string }
  /** A page of SCAN rows, and when more exist the pairing rows just past it (`PAIRING_MARGIN`). */
  | { type: 'page'; service: string; events: readonly HistoryEvent[]; older: readonly HistoryEvent[] }
  | { type: 'live'; events: readonly HistoryEvent[] }
  | { type: 'error'; service: string; message: string };

const EMPTY: FailureWindow = { rows: [], older: [] };

export const initialFailureRows = (service: string): FailureRows => ({ service, rows: null, error: null });

/** Each answer names the service it was fetched for: one for a service no longer shown arrived late and is dropped. */
export function failureRowsReducer(state: FailureRows, action: FailureRowsAction): FailureRows {
  switch (action.type) {
    case 'show':
      return action.service === state.service ? state : initialFailureRows(action.service);
    case 'page':
      if (action.service !== state.service) return state;
      return { ...state, rows: withPairingRows(mergeFailureWindow(state.rows ?? EMPTY, action.events, state.service, SCAN), action.older, state.service), error: null };
    case 'live':
      return state.rows === null ? state : { ...state, rows: mergeFailureWindow(state.rows, action.events, state.service, SCAN) };
    case 'error':
      return action.service === state.service ? { ...state, error: action.message } : state;
  }
}

/** What to show for `service`: nothing while the state is still another service's (the render before 'show' is dispatched). */
export const shownFor = (state: FailureRows, service: string): Pick<FailureRows, 'rows' | 'error'> =>
  state.service === service ? state : { rows: null, error: null };

/**
 * A service's failure rows as a `page` action: SCAN failure-kind rows and, when more exist, the
 * pairing rows just past them (a loss seconds older than its deregistration may lie there: `failureList`).
 * Those only refine the pairing at the page's edge: when they fail to load, the page pairs without them.
 */
export async function loadFailureRows(service: string, fetchJson: (url: string, signal?: AbortSignal) => Promise<unknown>, signal?: AbortSignal): Promise<FailureRowsAction> {
  const page = parseEventPage(await fetchJson(eventsUrl({ service, kinds: FAILURE_KINDS }, { limit: SCAN }), signal));
  return { type: 'page', service, events: page.events, older: page.nextCursor === null ? [] : await pairingRows(service, page.nextCursor, fetchJson, signal) };
}

async function pairingRows(service: string, cursor: string, fetchJson: (url: string, signal?: AbortSignal) => Promise<unknown>, signal?: AbortSignal): Promise<readonly HistoryEvent[]> {
  try {
    return parseEventPage(await fetchJson(eventsUrl({ service, kinds: PAIRING_KINDS }, { limit: PAIRING_MARGIN, cursor }), signal)).events;
  } catch (failure: unknown) {
    // Given up (the page moved on): no page at all.
    if (signal?.aborted) throw failure;
    return [];
  }
}
