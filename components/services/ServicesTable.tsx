import { useMemo } from 'react';
import { distinguishingTail } from '@/lib/model/middle-ellipsis';
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
  const nameTail = useMemo(() => distinguishingTail(rows.map((row) => row.name)), [rows]);
  const header = { current: query.sort, direction: query.direction, onSort };
  return (
    <table className="table table--services">
      <caption className="visually-hidden">Services (status sorts worst first)</caption>
      <colgroup>
        <col />
        <col className="col-status" />
        <col className="col-count" />
        <col className="col-formats detail-column" />
        <col className="col-versions detail-column" />
        <col className="col-zones detail-column" />
      </colgroup>
      <thead>
        <tr>
          <SortHeader label="Service" sortKey="name" {...header} />
          <SortHeader label="Status" sortKey="status" {...header} />
          <SortHeader label="Instances" sortKey="instances" className="num" {...header} />
          <th scope="col" className="detail-column">
            Formats
          </th>
          <th scope="col" className="detail-column">
            Versions
          </th>
          <th scope="col" className="detail-column">
            Zones
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((summary) => (
          <ServiceRow key={summary.name} summary={summary} nameTail={nameTail} />
        ))}
      </tbody>
    </table>
  );
}
