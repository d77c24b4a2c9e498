import { Truncate } from '../ui/Truncate';

export interface UnrecognisedPrefix {
  prefix: string;
  count: number;
  sampleKey: string;
}

export function UnrecognisedTable({ rows }: { rows: readonly UnrecognisedPrefix[] }) {
  return (
    <table className="table table--diagnostics">
      <caption className="visually-hidden">Unrecognised key prefixes</caption>
      <colgroup>
        <col className="col-prefix" />
        <col className="col-count" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Prefix</th>
          <th scope="col" className="num">
            Keys
          </th>
          <th scope="col">Sample key</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.prefix}>
            <td>
              <Truncate text={row.prefix} className="mono" />
            </td>
            <td className="num">{row.count}</td>
            <td>
              <Truncate text={row.sampleKey} className="mono" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
