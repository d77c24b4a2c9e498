import type { LatencyWindow } from '@/lib/model/latency';
import { WINDOW_PHRASES } from './format';

/** In place of the call charts while nobody reports calls to the service. */
export function NoCallsNotice({ service, window }: { service: string; window: LatencyWindow }) {
  return (
    <div className="chart-card chart-card--notice" data-chart="no-calls">
      <p className="chart-card__notice-title">
        No calls reported for <strong className="chart-card__service">
          <bdi>{service}</bdi>
        </strong> in {WINDOW_PHRASES[window]}
      </p>
      <p className="muted">
        Services report through <code>POST /api/v1/ingest/calls</code> (see README); latency, request rate and error rate appear here as
        soon as a caller reports calls to this service.
      </p>
    </div>
  );
}
