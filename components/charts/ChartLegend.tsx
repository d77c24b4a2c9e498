export interface LegendItem {
  label: string;
  color: string;
  /** SVG stroke-dasharray; undefined draws a solid line. */
  dash?: string;
  /** Shown after the label, muted (e.g. the latest value). */
  detail?: string;
}

/** The series of a chart, each with a sample of its line: colour and dash pattern both. */
export function ChartLegend({ items }: { items: readonly LegendItem[] }) {
  return (
    <ul className="chart-legend">
      {items.map((item) => (
        <li key={item.label} className="chart-legend__item" title={item.detail ? `${item.label}: ${item.detail}` : item.label}>
          <svg width="22" height="8" viewBox="0 0 22 8" aria-hidden="true" focusable="false">
            <line x1="1" y1="4" x2="21" y2="4" stroke={item.color} strokeWidth="2" strokeDasharray={item.dash} strokeLinecap="butt" />
          </svg>
          <span className="chart-legend__label">{item.label}</span>
          {item.detail && <span className="chart-legend__detail">{item.detail}</span>}
        </li>
      ))}
    </ul>
  );
}
