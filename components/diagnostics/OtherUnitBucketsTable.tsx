import { ClientTime } from '../ui/ClientTime';
import { Truncate } from '../ui/Truncate';
import type { BucketsInOtherUnitHistogram } from '@/lib/model/otlp/buckets-in-other-unit';
import { otherUnitEffect } from './buckets-in-other-unit';

/** One row per service and metric: its name, the metric and what its bounds do under it, so a phone's width keeps them readable. */
export function OtherUnitBucketsTable({ rows }: { rows: readonly BucketsInOtherUnitHistogram[] }) {
  return (
    <table className="table table--diagnostics">
      <caption className="visually-hidden">Duration histograms with buckets in the other unit</caption>
      <colgroup>
        <col />
        <col className="col-count" />
        <col className="col-count" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Service, metric and buckets</th>
          <th scope="col" className="num">
            Points
          </th>
          <th scope="col">Last sent</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.service.length}:${row.service}${row.metric}`}>
            <td>
              {/* Each a block of its own (.truncate): the metric under the name; what its buckets do wraps, it is the point of the row. */}
              <Truncate text={row.service} />
              <Truncate text={row.metric} className="mono" />
              <div className="muted cell-note">{otherUnitEffect(row)}</div>
            </td>
            <td className="num">{row.points}</td>
            <td>
              <ClientTime at={row.lastAt} relative={false} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
