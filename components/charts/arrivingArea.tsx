import type { ReactElement } from 'react';
import { ReferenceArea } from 'recharts';
import type { ChartSeries } from './series';

/**
 * The shaded band over the newest slots, left undrawn while their reports are still arriving
 * (`drawableSeries`), or nothing. Called, not rendered as a component: recharts reads the chart's
 * own children.
 */
export function arrivingArea(series: Pick<ChartSeries, 'arrivingFrom' | 'to'>): ReactElement | null {
  if (series.arrivingFrom === null) return null;
  return <ReferenceArea x1={series.arrivingFrom} x2={series.to} fill="var(--chart-arriving)" fillOpacity={1} stroke="none" ifOverflow="hidden" className="chart-arriving" />;
}
