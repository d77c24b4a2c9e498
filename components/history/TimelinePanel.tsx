'use client';

import type { EventFilter, HistoryFilters, RangePreset } from '@/lib/model/history-query';
import type { FiltersUpdate } from '@/lib/client/useHistoryFilters';
import { useHistoryEvents } from '@/lib/client/useHistoryEvents';
import { EmptyState } from '../ui/EmptyState';
import { Timeline } from './Timeline';

const WIDER: Partial<Record<HistoryFilters['range'], RangePreset>> = { '1h': '24h', '24h': '7d', '7d': '30d' };
const WIDER_LABEL: Record<RangePreset, string> = { '1h': 'last hour', '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' };

function NoEvents({ filters, update }: { filters: HistoryFilters; update: FiltersUpdate }) {
  const wider = WIDER[filters.range];
  const narrowed = filters.service !== '' || filters.instance !== '' || filters.kinds.length > 0;
  return (
    <EmptyState title="No events in this range — try a wider range">
      <p>New events appear here live as they happen.</p>
      <div className="empty-state__actions">
        {wider && (
          <button type="button" className="button" onClick={() => update({ range: wider, since: '', until: '' })}>
            Show the {WIDER_LABEL[wider]}
          </button>
        )}
        {filters.range === 'custom' && (
          <button type="button" className="button" onClick={() => update({ range: '30d', since: '', until: '' })}>
            Show the last 30 days
          </button>
        )}
        {narrowed && (
          <button type="button" className="button button--quiet" onClick={() => update({ service: '', instance: '', kinds: [] })}>
            Clear service, instance and kind filters
          </button>
        )}
      </div>
    </EmptyState>
  );
}

/** The timeline view of /history. */
export function TimelinePanel({ filters, filter, invalid, update }: { filters: HistoryFilters; filter: EventFilter | null; invalid: boolean; update: FiltersUpdate }) {
  const view = useHistoryEvents(invalid ? null : filter);
  if (invalid) {
    return (
      <EmptyState title="This range ends before it starts">
        <p>Pick a “From” earlier than the “To”.</p>
      </EmptyState>
    );
  }
  return <Timeline view={view} label="Events, newest first" empty={<NoEvents filters={filters} update={update} />} onFilter={update} />;
}
