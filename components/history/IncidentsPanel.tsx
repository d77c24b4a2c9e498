'use client';

import { useMemo } from 'react';
import { rangeSpecOf, type EventFilter, type EventScope, type HistoryFilters } from '@/lib/model/history-query';
import { useAnchoredFilter, type FiltersUpdate } from '@/lib/client/useHistoryFilters';
import { INCIDENT_LIMIT, useHistoryIncidents } from '@/lib/client/useHistoryAnalysis';
import { LoadError } from '../charts/LoadError';
import { EmptyState } from '../ui/EmptyState';
import { IncidentDetail } from './IncidentDetail';
import { IncidentsTable } from './IncidentsTable';
import { MttrTable } from './MttrTable';
import { TimelineSkeleton } from './TimelineSkeleton';

interface Props {
  filters: HistoryFilters;
  invalid: boolean;
  anchor: number;
  update: FiltersUpdate;
}

function Incidents({ filter, filters, update }: { filter: EventFilter; filters: HistoryFilters; update: FiltersUpdate }) {
  const { data, error, loading, retry } = useHistoryIncidents(filter);
  if (data === null) return error !== null ? <LoadError what="incidents" message={error} onRetry={retry} /> : <TimelineSkeleton size="panel" />;
  const selected = filters.incident === '' ? undefined : data.incidents.find((incident) => incident.id === filters.incident);
  const select = (id: string) => update({ incident: id === filters.incident ? '' : id });
  return (
    <div className={filters.incident !== '' ? 'incidents incidents--with-detail' : 'incidents'} aria-busy={loading}>
      <div className="incidents__main">
        {error !== null && <LoadError what="incidents" message={error} onRetry={retry} compact />}
        {data.truncated && <p className="notice">This range holds more events than one analysis reads; incidents are shown up to the first left out. Narrow the range to see the rest.</p>}
        {data.incidents.length === 0 ? (
          <EmptyState title="No incidents in this range — try a wider range">
            <p>An incident opens when an instance turns critical or its lease expires, and closes when none is failing.</p>
          </EmptyState>
        ) : (
          <>
            <section className="section section--first" aria-labelledby="mttr-title">
              <h2 className="section__title" id="mttr-title">
                Recovery by service
              </h2>
              <MttrTable incidents={data.incidents} mttrMs={data.mttrMs} />
            </section>
            <section className="section" aria-labelledby="incidents-title">
              <h2 className="section__title" id="incidents-title">
                Incidents{' '}
                <span className="muted">{data.incidents.length >= INCIDENT_LIMIT ? `(the newest ${INCIDENT_LIMIT}; narrow the range for older ones)` : `(${data.incidents.length}, newest first)`}</span>
              </h2>
              <IncidentsTable incidents={data.incidents} selected={filters.incident} onSelect={select} />
            </section>
          </>
        )}
      </div>
      {filters.incident !== '' && (
        <aside className="incidents__detail" aria-label="Incident detail">
          {selected ? (
            <IncidentDetail key={selected.id} incident={selected} onClose={() => update({ incident: '' })} />
          ) : (
            <EmptyState title="This incident is not in the range shown">
              <button type="button" className="button" onClick={() => update({ incident: '' })}>
                Close
              </button>
            </EmptyState>
          )}
        </aside>
      )}
    </div>
  );
}

/** The incidents view of /history: MTTR per service, the incident list, and one incident's events beside it. */
export function IncidentsPanel({ filters, invalid, anchor, update }: Props) {
  const { service, range, since, until } = filters;
  const scope = useMemo<EventScope | null>(
    () => (invalid ? null : { ...(service ? { service } : {}), range: rangeSpecOf({ range, since, until }) }),
    [invalid, service, range, since, until],
  );
  const filter = useAnchoredFilter(scope, anchor);
  if (invalid) {
    return (
      <EmptyState title="This range ends before it starts">
        <p>Pick a “From” earlier than the “To”.</p>
      </EmptyState>
    );
  }
  if (filter === null) return <TimelineSkeleton size="panel" />;
  return <Incidents filter={filter} filters={filters} update={update} />;
}
