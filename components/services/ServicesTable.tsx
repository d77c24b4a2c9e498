import { defaultDirection, type ServiceQuery, type ServiceSummary, type SortKey } from '@/lib/model/filter';
import { ServiceRow } from './ServiceRow';
import { SortHeader } from './SortHeader';

interface Props {
  rows: readonly ServiceSummary[];
  query: ServiceQuery;
  onChange: (patch: Partial<ServiceQuery>) => void;
}

export function ServicesTable({ rows, query, onChange }: Props) {
  const onSort = (sort: SortKey) =>
    onChange(
      sort === query.sort
        ? { direction: query.direction === 'asc' ? 'desc' : 'asc' }
        : { sort, direction: defaultDirection(sort) },
    );
  const header = { current: query.sort, direction: query.direction, onSort };
  return (
    <table className="table table--services">
      <caption className="visually-hidden">Services (status sorts worst first)</caption>
      <colgroup>
        <col />
        <col className="col-status" />
        <col className="col-count" />
        <col className="col-formats" />
        <col className="col-versions" />
        <col className="col-zones" />
      </colgroup>
      <thead>
        <tr>
          <SortHeader label="Service" sortKey="name" {...header} />
          <SortHeader label="Status" sortKey="status" {...header} />
          <SortHeader label="Instances" sortKey="instances" className="num" {...header} />
          <th scope="col">Formats</th>
          <th scope="col">Versions</th>
          <th scope="col">Zones</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((summary) => (
          <ServiceRow key={summary.name} summary={summary} />
        ))}
      </tbody>
    </table>
  );
}
