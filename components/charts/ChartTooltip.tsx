import type { TooltipContentProps } from 'recharts';
import type { LatencyWindow } from '@/lib/model/latency';
import { formatSlotTime } from './format';

interface Props extends Partial<Pick<TooltipContentProps, 'active' | 'payload'>> {
  window: LatencyWindow;
  format: (value: number) => string;
  /** What a missing value means here ("no calls", "no probe"). */
  empty: string;
  /** What a missing value of this series in this row means, when not `empty` (a failed probe: "failed"). */
  emptyFor?: (dataKey: string, row: unknown) => string | undefined;
  /** Highest value first (for many series), else in series order. */
  sortByValue?: boolean;
}

/** Local time of the slot, then each series with its unit; missing values say why. */
export function ChartTooltip({ active, payload, window, format, empty, emptyFor, sortByValue = false }: Props) {
  if (!active || !payload || payload.length === 0) return null;
  const row: unknown = payload[0]?.payload;
  const t = typeof row === 'object' && row !== null && 't' in row && typeof row.t === 'number' ? row.t : undefined;
  const entries = payload.map((entry) => ({
    key: String(entry.dataKey ?? entry.name),
    name: String(entry.name ?? entry.dataKey ?? ''),
    color: entry.stroke ?? entry.color,
    value: typeof entry.value === 'number' ? entry.value : null,
  }));
  if (sortByValue) entries.sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  return (
    <div className="chart-tooltip">
      {t !== undefined && <p className="chart-tooltip__time">{formatSlotTime(t, window)}</p>}
      <dl className="chart-tooltip__values">
        {entries.map((entry) => (
          <div key={entry.key} className="chart-tooltip__row">
            <dt>
              <span className="chart-tooltip__swatch" style={{ background: entry.color }} aria-hidden="true" />
              <span className="truncate">{entry.name}</span>
            </dt>
            <dd className={entry.value === null ? 'muted' : undefined}>{entry.value === null ? (emptyFor?.(entry.key, row) ?? empty) : format(entry.value)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
