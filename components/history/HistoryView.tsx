'use client';

import { useMemo, useReducer } from 'react';
import { isEmptyRange, scopeOf } from '@/lib/model/history-query';
import { useAnchoredFilter, useHistoryFilters } from '@/lib/client/useHistoryFilters';
import { HistoryTabs } from './HistoryTabs';
import { HistoryToolbar } from './HistoryToolbar';
import { IncidentsPanel } from './IncidentsPanel';
import { TimelinePanel } from './TimelinePanel';

/** /history: what happened, as a live timeline of events or as incidents, filtered through the URL. */
export function HistoryView() {
  const [filters, update] = useHistoryFilters();
  // Clicking the chosen preset again fixes "last N" at the current moment.
  const [anchor, refresh] = useReducer((n: number) => n + 1, 0);
  const scope = useMemo(() => scopeOf(filters), [filters]);
  const invalid = isEmptyRange(scope.range);
  const timelineFilter = useAnchoredFilter(filters.view === 'timeline' && !invalid ? scope : null, anchor);

  return (
    <>
      <div className="page-header">
        <h1 className="page-title">History</h1>
        <HistoryTabs filters={filters} update={update} />
      </div>
      <HistoryToolbar filters={filters} update={update} onRefresh={refresh} exportFilter={filters.view === 'timeline' ? timelineFilter : undefined} />
      {filters.view === 'timeline' ? (
        <TimelinePanel filters={filters} filter={timelineFilter} invalid={invalid} update={update} />
      ) : (
        <IncidentsPanel filters={filters} invalid={invalid} anchor={anchor} update={update} />
      )}
    </>
  );
}
