import type { Facets, ServiceQuery } from '@/lib/model/filter';
import { DEFAULT_QUERY } from '@/lib/model/filter';
import { STATUS_LABELS } from '../ui/StatusBadge';
import { FacetSelect } from './FacetSelect';
import { SearchBox } from './SearchBox';

interface Props {
  query: ServiceQuery;
  facets: Facets;
  shown: number;
  total: number;
  onChange: (patch: Partial<ServiceQuery>) => void;
}

const count = new Intl.NumberFormat('en');

export function ServicesToolbar({ query, facets, shown, total, onChange }: Props) {
  const filtered =
    query.search !== '' || query.status !== '' || query.format !== '' || query.zone !== '' || query.version !== '';
  return (
    <div className="toolbar" role="search">
      <SearchBox value={query.search} onChange={(search) => onChange({ search })} placeholder="Search name, instance, address, metadata" label="Search services" />
      <FacetSelect label="Status" value={query.status} options={facets.statuses} format={(s) => STATUS_LABELS[s]} onChange={(status) => onChange({ status })} />
      <FacetSelect label="Format" value={query.format} options={facets.formats} onChange={(format) => onChange({ format })} />
      <FacetSelect label="Zone" value={query.zone} options={facets.zones} onChange={(zone) => onChange({ zone })} />
      <FacetSelect label="Version" value={query.version} options={facets.versions} onChange={(version) => onChange({ version })} />
      {filtered && (
        <button
          type="button"
          className="button button--quiet"
          onClick={() => onChange({ search: '', status: DEFAULT_QUERY.status, format: '', zone: '', version: '' })}
        >
          Clear filters
        </button>
      )}
      <span className="toolbar__count" aria-live="polite">
        {filtered ? `${count.format(shown)} of ${count.format(total)} services` : `${count.format(total)} ${total === 1 ? 'service' : 'services'}`}
      </span>
    </div>
  );
}
