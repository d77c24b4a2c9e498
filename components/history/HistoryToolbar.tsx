'use client';

import { useMemo } from 'react';
import type { EventKind } from '@/lib/model/events';
import { DEFAULT_FILTERS, type EventFilter, type HistoryFilters } from '@/lib/model/history-query';
import type { FiltersUpdate } from '@/lib/client/useHistoryFilters';
import { useServiceView } from '@/lib/client/liveViews';
import { useLive } from '../live/LiveProvider';
import { ExportLinks } from './ExportLinks';
import { KindPicker } from './KindPicker';
import { RangePicker } from './RangePicker';
import { TextFilter } from './TextFilter';

interface Props {
  filters: HistoryFilters;
  update: FiltersUpdate;
  onRefresh: () => void;
  /** The timeline's fixed filter, for the export links (timeline view only). */
  exportFilter?: EventFilter | null;
}

/** Filters of the History page; every change lands in the URL and starts the list over. */
export function HistoryToolbar({ filters, update, onRefresh, exportFilter }: Props) {
  const { summaries } = useLive();
  const serviceNames = useMemo(() => summaries.map((summary) => summary.name), [summaries]);
  const selected = useServiceView(filters.service).service;
  const instanceIds = useMemo(() => selected?.instances.map((instance) => instance.id) ?? [], [selected]);
  const timeline = filters.view === 'timeline';
  const filtered = filters.service !== '' || (timeline && (filters.instance !== '' || filters.kinds.length > 0)) || filters.range !== DEFAULT_FILTERS.range;
  return (
    <div className="toolbar history-toolbar" role="search" aria-label="Filter history">
      <TextFilter label="Service" value={filters.service} placeholder="any service" suggestions={serviceNames} onCommit={(service) => update({ service, incident: '' })} />
      {timeline && (
        <>
          <TextFilter label="Instance" value={filters.instance} placeholder="any instance" suggestions={instanceIds} onCommit={(instance) => update({ instance })} />
          <KindPicker value={filters.kinds} onChange={(kinds: EventKind[]) => update({ kinds })} />
        </>
      )}
      <RangePicker value={filters} onChange={(range) => update({ ...range, incident: '' })} onRefresh={onRefresh} />
      {filtered && (
        <button
          type="button"
          className="button button--quiet"
          onClick={() => update({ service: '', instance: '', kinds: [], range: DEFAULT_FILTERS.range, since: '', until: '', incident: '' })}
        >
          Clear filters
        </button>
      )}
      {timeline && exportFilter !== undefined && (
        <div className="toolbar__end">
          <ExportLinks filter={exportFilter} />
        </div>
      )}
    </div>
  );
}
