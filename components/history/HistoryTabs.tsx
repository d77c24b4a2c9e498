'use client';

import type { MouseEvent } from 'react';
import { historySearch, type HistoryFilters, type HistoryView } from '@/lib/model/history-query';
import type { FiltersUpdate } from '@/lib/client/useHistoryFilters';

const TABS: { view: HistoryView; label: string }[] = [
  { view: 'timeline', label: 'Timeline' },
  { view: 'incidents', label: 'Incidents' },
];

/** Timeline / Incidents: real links (middle-click, copy) that switch in place with a Back step. */
export function HistoryTabs({ filters, update }: { filters: HistoryFilters; update: FiltersUpdate }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>, view: HistoryView): void => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    update({ view, incident: '' }, 'push');
  };
  return (
    <nav className="tabs" aria-label="History views">
      {TABS.map(({ view, label }) => {
        const search = historySearch({ ...filters, view, incident: '' });
        const current = filters.view === view;
        return (
          <a
            key={view}
            href={`/history${search ? `?${search}` : ''}`}
            className={current ? 'tabs__tab is-active' : 'tabs__tab'}
            aria-current={current ? 'page' : undefined}
            onClick={(event) => onClick(event, view)}
          >
            {label}
          </a>
        );
      })}
    </nav>
  );
}
