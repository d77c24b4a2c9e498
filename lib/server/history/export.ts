import { csvRow } from '@/lib/model/csv';
import type { EventQuery, HistoryEvent } from '@/lib/model/events';
import type { History } from './store';

/** An export is capped so one click cannot stream the whole database into a browser tab. */
export const MAX_EXPORT_ROWS = 100_000;
const PAGE = 2_000;

const COLUMNS = ['id', 'at', 'kind', 'service', 'instance', 'from', 'to', 'actor', 'detail', 'until'] as const;

async function* pages(history: Pick<History, 'query'>, query: EventQuery): AsyncGenerator<HistoryEvent[]> {
  let cursor: string | undefined = query.cursor;
  let sent = 0;
  while (sent < MAX_EXPORT_ROWS) {
    const page = await history.query({ ...query, limit: Math.min(PAGE, MAX_EXPORT_ROWS - sent), ...(cursor ? { cursor } : {}) });
    if (page.events.length > 0) yield page.events;
    sent += page.events.length;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** Streams the filtered events as CSV (formula-safe) or a JSON array, page by page. */
export function exportEvents(history: Pick<History, 'query'>, query: EventQuery, format: 'csv' | 'json'): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const source = pages(history, query);
  let first = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === 'csv' ? csvRow([...COLUMNS]) : '['));
    },
    async pull(controller) {
      const next = await source.next();
      if (next.done) {
        if (format === 'json') controller.enqueue(encoder.encode(']\n'));
        controller.close();
        return;
      }
      let chunk = '';
      for (const event of next.value) {
        if (format === 'csv') chunk += csvRow(COLUMNS.map((column) => event[column]));
        else {
          chunk += `${first ? '' : ','}\n${JSON.stringify(event)}`;
          first = false;
        }
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
}
