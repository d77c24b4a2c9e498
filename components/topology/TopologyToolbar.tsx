'use client';

import type { FacetValue } from '@/lib/model/filter';
import type { Format, Status } from '@/lib/model/instance';
import { GROUP_MODES, type GroupMode } from '@/lib/model/topology/group';
import { MAX_HOPS, type TopologyViewState } from '@/lib/model/topology/view';
import { FacetSelect } from '../services/FacetSelect';
import { SearchBox } from '../services/SearchBox';
import { STATUS_LABELS } from '../ui/StatusBadge';

export interface TopologyFacets {
  statuses: FacetValue<Status>[];
  zones: FacetValue[];
  namespaces: FacetValue[];
  formats: FacetValue<Format>[];
}

interface Props {
  view: TopologyViewState;
  facets: TopologyFacets;
  mode: GroupMode;
  autoGrouped: boolean;
  matches: number | null;
  shown: number;
  total: number;
  legendOpen: boolean;
  onChange(patch: Partial<TopologyViewState>): void;
  onSearchNext(backwards: boolean): void;
  onFit(): void;
  onRelayout(): void;
  /** Calls drawn right to left that were not when the map was laid out. */
  backwardSinceLayout: number;
  onToggleLegend(): void;
}

const MODE_LABELS: Record<GroupMode, string> = { none: 'No grouping', zone: 'Group by zone', namespace: 'Group by namespace' };

export function TopologyToolbar({ view, facets, mode, autoGrouped, matches, shown, total, legendOpen, onChange, onSearchNext, onFit, onRelayout, backwardSinceLayout, onToggleLegend }: Props) {
  const filtered = view.status !== '' || view.zone !== '' || view.namespace !== '' || view.format !== '';
  const one = backwardSinceLayout === 1;
  const backwardNote =
    backwardSinceLayout === 0 ? '' : `${backwardSinceLayout} ${one ? 'call' : 'calls'} seen since the map was laid out ${one ? 'is' : 'are'} drawn right to left. `;
  return (
    <div className="toolbar topology-toolbar" role="search">
      <SearchBox
        value={view.search}
        onChange={(search) => onChange({ search })}
        placeholder="Search"
        label="Find on the map"
        onEnter={onSearchNext}
        describedBy="topology-search-count"
        after={
          <span id="topology-search-count" className="search__count" aria-live="polite">
            {matches === null ? '' : matches === 0 ? 'no match' : `${matches} ${matches === 1 ? 'match' : 'matches'}`}
          </span>
        }
      />
      <FacetSelect label="Status" value={view.status} options={facets.statuses} format={(s) => STATUS_LABELS[s]} onChange={(status) => onChange({ status })} />
      <FacetSelect label="Zone" value={view.zone} options={facets.zones} onChange={(zone) => onChange({ zone })} />
      <FacetSelect label="Namespace" value={view.namespace} options={facets.namespaces} onChange={(namespace) => onChange({ namespace })} />
      <FacetSelect label="Format" value={view.format} options={facets.formats} onChange={(format) => onChange({ format })} />
      {filtered && (
        <button type="button" className="button button--quiet" onClick={() => onChange({ status: '', zone: '', namespace: '', format: '' })}>
          Clear filters
        </button>
      )}
      <label className="select topology-grouping">
        <span className="visually-hidden">Grouping</span>
        <select
          value={mode}
          onChange={(event) => onChange({ by: event.target.value as GroupMode, collapsed: [], expanded: [], group: '' })}
          title={autoGrouped ? 'Grouped automatically: the fleet is too big to draw service by service' : undefined}
        >
          {GROUP_MODES.map((value) => (
            <option key={value} value={value}>
              {MODE_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      {view.focus !== '' && (
        <span className="focus-chip" role="status">
          Focus: <strong className="truncate">{view.focus}</strong>
          <label>
            <span className="visually-hidden">Hops</span>
            <select value={view.hops} onChange={(event) => onChange({ hops: Number(event.target.value) })}>
              {Array.from({ length: MAX_HOPS }, (_, i) => i + 1).map((hops) => (
                <option key={hops} value={hops}>
                  ±{hops} {hops === 1 ? 'hop' : 'hops'}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="focus-chip__clear" aria-label="Exit focus mode" onClick={() => onChange({ focus: '' })}>
            ×
          </button>
        </span>
      )}
      <span className="toolbar__count" aria-live="polite">
        {shown === total ? `${total} ${total === 1 ? 'node' : 'nodes'}` : `${shown} of ${total} nodes`}
      </span>
      <button type="button" className="button" onClick={onFit} title="Fit the map to the screen">
        Fit
      </button>
      <button
        type="button"
        className={backwardSinceLayout > 0 ? 'button button--attention' : 'button'}
        onClick={onRelayout}
        title={`${backwardNote}Lay the whole map out again (forgets dragged positions)`}
      >
        Re-layout
        {backwardSinceLayout > 0 && (
          <>
            <span className="button__badge" aria-hidden="true">
              {backwardSinceLayout}
            </span>
            <span className="visually-hidden">: {backwardNote}</span>
          </>
        )}
      </button>
      <button type="button" className="button" aria-expanded={legendOpen} aria-controls="topology-legend" onClick={onToggleLegend}>
        Legend
      </button>
    </div>
  );
}
