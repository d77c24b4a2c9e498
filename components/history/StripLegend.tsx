import type { Observed } from '@/lib/model/uptime';

const ENTRIES: { status: Observed; label: string }[] = [
  { status: 'passing', label: 'Passing' },
  { status: 'warning', label: 'Warning' },
  { status: 'critical', label: 'Critical' },
  { status: 'unknown', label: 'Unknown' },
  { status: 'none', label: 'No data' },
];

export function StripLegend() {
  return (
    <ul className="strip-legend" aria-label="Legend">
      {ENTRIES.map(({ status, label }) => (
        <li key={status}>
          <span className={`heartbeat__cell heartbeat__cell--${status}`} aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}
