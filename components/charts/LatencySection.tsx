'use client';

import { memo, useId, useMemo } from 'react';
import type { InstancesLatency, LatencyView, ServiceLatency } from '@/lib/client/useLatency';
import type { LatencyWindow } from '@/lib/model/latency';
import { ChartsSkeleton } from './ChartsSkeleton';
import { ErrorRateChart } from './ErrorRateChart';
import { LatencyPercentilesChart } from './LatencyPercentilesChart';
import { LoadError } from './LoadError';
import { NoCallsNotice } from './NoCallsNotice';
import { ProbeLatencyChart } from './ProbeLatencyChart';
import { RequestRateChart } from './RequestRateChart';
import { drawableSeries, hasCalls, type ChartSeries } from './series';
import { UpdatedAt } from './UpdatedAt';
import { WindowPicker } from './WindowPicker';

interface Props {
  service: string;
  window: LatencyWindow;
  onWindowChange: (window: LatencyWindow) => void;
  calls: LatencyView<ServiceLatency>;
  probes: LatencyView<InstancesLatency>;
}

/** Axes follow the window of the data, which may still be the previous one while the next loads. */
function CallCharts({ service, data, series }: { service: string; data: ServiceLatency; series: ChartSeries }) {
  if (!hasCalls(data.points)) return <NoCallsNotice service={service} window={data.window} />;
  return (
    <>
      <LatencyPercentilesChart series={series} window={data.window} />
      <RequestRateChart series={series} window={data.window} />
      <ErrorRateChart series={series} window={data.window} />
    </>
  );
}

function ProbeChart({ data }: { data: InstancesLatency }) {
  const first = data.instances[0]?.probe;
  const from = first?.[0]?.t ?? 0;
  const to = (first?.[first.length - 1]?.t ?? from) + data.stepSeconds * 1_000;
  return <ProbeLatencyChart instances={data.instances} stepSeconds={data.stepSeconds} window={data.window} from={from} to={to} />;
}

/**
 * "Latency & traffic" of a service: window picker and live charts. Memoised on the two latency
 * views (a new object per answer), so live registry deltas re-rendering the page skip it.
 */
export const LatencySection = memo(function LatencySection({ service, window, onWindowChange, calls, probes }: Props) {
  const titleId = useId();
  const series = useMemo(() => (calls.data === null ? null : drawableSeries(calls.data.points, calls.data.stepSeconds, calls.data.arrivingFrom ?? null)), [calls.data]);
  const stale = (calls.data !== null && calls.data.window !== window) || (probes.data !== null && probes.data.window !== window);
  return (
    <section className="section latency" aria-labelledby={titleId} aria-busy={calls.loading || probes.loading}>
      <div className="latency__header">
        <h2 className="section__title" id={titleId}>
          Latency &amp; traffic
        </h2>
        <WindowPicker value={window} onChange={onWindowChange} />
        <UpdatedAt
          window={window}
          stepSeconds={calls.data?.window === window ? calls.data.stepSeconds : undefined}
          at={calls.updatedAt}
          arrivingSeconds={calls.data?.window === window && series !== null && series.arrivingFrom !== null ? (series.to - series.arrivingFrom) / 1_000 : null}
        />
      </div>
      {calls.error !== null && calls.data !== null && <LoadError what="latency" message={calls.error} onRetry={calls.retry} compact />}
      <div className={stale ? 'chart-grid is-stale' : 'chart-grid'} data-window={calls.data?.window}>
        {calls.data === null && calls.error !== null && probes.data === null && probes.error !== null ? (
          // Both failed (usually for the same reason): one message, one button.
          <div className="chart-grid__wide">
            <LoadError
              what="latency"
              message={calls.error}
              onRetry={() => {
                calls.retry();
                probes.retry();
              }}
            />
          </div>
        ) : (
          <>
            {calls.data !== null && series !== null ? (
              <CallCharts service={service} data={calls.data} series={series} />
            ) : calls.error !== null ? (
              <LoadError what="latency" message={calls.error} onRetry={calls.retry} />
            ) : (
              <ChartsSkeleton count={3} />
            )}
            {probes.data !== null ? (
              <ProbeChart data={probes.data} />
            ) : probes.error !== null ? (
              <LoadError what="probe latency" message={probes.error} onRetry={probes.retry} />
            ) : (
              <ChartsSkeleton count={1} />
            )}
          </>
        )}
      </div>
    </section>
  );
});
