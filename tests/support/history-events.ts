import type { EventPage, HistoryEvent } from '@/lib/model/events';
import type { TestServer } from './server';

/** Every History row `from` answers for `filters`, page after page. */
export async function allEvents(from: TestServer, filters: Record<string, string> = {}): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...filters, limit: '5000', ...(cursor ? { cursor } : {}) });
    const page = (await (await from.fetch(`/api/v1/events?${params}`)).json()) as EventPage;
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}
