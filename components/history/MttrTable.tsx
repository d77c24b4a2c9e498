import { useMemo } from 'react';
import Link from 'next/link';
import type { Incident } from '@/lib/model/incidents';
import { servicePath } from '@/lib/client/routes';
import { formatDuration } from '@/lib/model/duration';
import { mttrRows } from './incidents';

/** Incidents, open incidents and mean time to recovery per service. */
export function MttrTable({ incidents, mttrMs }: { incidents: readonly Incident[]; mttrMs: Readonly<Record<string, number | null>> }) {
  const rows = useMemo(() => mttrRows(incidents, mttrMs), [incidents, mttrMs]);
  return (
    <table className="table table--mttr">
      <caption className="visually-hidden">Mean time to recovery per service</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col" className="num">
            Incidents
          </th>
          <th scope="col" className="num">
            Ongoing
          </th>
          <th scope="col" className="num" title="Mean time to recovery of the closed incidents">
            MTTR
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.service}>
            <td>
              <Link href={servicePath(row.service)} prefetch={false} className="truncate" title={row.service}>
                {row.service}
              </Link>
            </td>
            <td className="num">{row.incidents}</td>
            <td className="num">{row.ongoing > 0 ? <span className="ongoing">{row.ongoing}</span> : <span className="muted">0</span>}</td>
            <td className="num">{row.mttrMs === null ? <span className="muted" title="No incident closed yet">—</span> : formatDuration(row.mttrMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
