import { ClientTime } from '../ui/ClientTime';
import { Truncate } from '../ui/Truncate';

/** A service sending a seconds duration histogram with buckets meant for milliseconds. */
export interface MsBucketsSender {
  service: string;
  metric: string;
  points: number;
  lastAt: number;
}

/** One row per service, its metric under its name: a phone's width keeps both readable. */
export function MsBucketsTable({ rows }: { rows: readonly MsBucketsSender[] }) {
  return (
    <table className="table table--diagnostics">
      <caption className="visually-hidden">Services sending seconds histograms with millisecond buckets</caption>
      <colgroup>
        <col />
        <col className="col-count" />
        <col className="col-count" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Service and metric</th>
          <th scope="col" className="num">
            Points
          </th>
          <th scope="col">Last sent</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.service}>
            <td>
              {/* Each a block of its own (.truncate): the metric under the name. */}
              <Truncate text={row.service} />
              <Truncate text={row.metric} className="mono" />
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
