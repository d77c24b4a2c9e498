import type { ReactNode } from 'react';
import { ChartLegend, type LegendItem } from './ChartLegend';

interface Props {
  /** Stable name for tests and styling: `data-chart`. */
  chart: string;
  title: string;
  /** The unit of the y axis, next to the title. */
  unit: string;
  legend?: readonly LegendItem[];
  /** Long legends go under the plot, so plots in one row of the grid still line up. */
  legendBelow?: boolean;
  /** Slots with a value: `data-points`, which the end-to-end tests watch grow live. */
  points: number;
  /** A one-sentence summary for screen readers (the SVG itself is not read). */
  summary: string;
  note?: ReactNode;
  children: ReactNode;
}

/** One chart: titled, with its unit, legend and a text summary. */
export function ChartCard({ chart, title, unit, legend, legendBelow = false, points, summary, note, children }: Props) {
  return (
    <figure className="chart-card" data-chart={chart} data-points={points}>
      <figcaption className="chart-card__header">
        <h3 className="chart-card__title">
          {title} <span className="chart-card__unit">({unit})</span>
        </h3>
        {legend && !legendBelow && <ChartLegend items={legend} />}
        <span className="visually-hidden">{summary}</span>
      </figcaption>
      <div className="chart-card__plot">{children}</div>
      {legend && legendBelow && <ChartLegend items={legend} />}
      {note && <p className="chart-card__note">{note}</p>}
    </figure>
  );
}
