'use client';

import { useId, useMemo, useState } from 'react';
import { UptimeWindowSchema, type UptimeWindow } from '@/lib/model/uptime';
import { useHistoryUptime } from '@/lib/client/useHistoryAnalysis';
import { LoadError } from '../charts/LoadError';
import { useServiceView } from '@/lib/client/liveViews';
import { formatUptime, uptimeCoverage } from './format';
import { HeartbeatStrips } from './HeartbeatStrips';
import { RecentFailures } from './RecentFailures';
import { Segmented } from '@/components/ui/Segmented';

const BUCKETS = 48;
const WINDOW_TITLES: Record<UptimeWindow, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

/** The service page's history: heartbeat strips with uptime per instance, and the recent failures. */
export function ServiceHistory({ service }: { service: string }) {
  const titleId = useId();
  const [window, setWindow] = useState<UptimeWindow>('24h');
  const live = useServiceView(service).service;
  const uptime = useHistoryUptime(service, window, BUCKETS, live);
  const registered = useMemo(() => new Set(live ? live.instances.map((instance) => instance.id) : []), [live]);
  const report = uptime.data;
  const stale = report !== null && report.window.name !== window;
  return (
    <>
      <section className="section service-history" aria-labelledby={titleId} aria-busy={uptime.loading}>
        <div className="service-history__header">
          <h2 className="section__title" id={titleId}>
            Availability
          </h2>
          <Segmented label="Uptime window" options={UptimeWindowSchema.options} value={window} titles={WINDOW_TITLES} onChange={setWindow} />
          {report !== null && !stale && (
            <span className="service-history__uptime">
              Uptime <strong>{formatUptime(report.uptime)}</strong> <span className="muted">{uptimeCoverage(report.observedMs, Date.parse(report.window.to) - Date.parse(report.window.from), WINDOW_TITLES[window].toLowerCase())}</span>
            </span>
          )}
        </div>
        {uptime.error !== null && report !== null && <LoadError what="uptime" message={uptime.error} onRetry={uptime.retry} compact />}
        <div className={stale ? 'service-history__strips is-stale' : 'service-history__strips'}>
          {report !== null ? (
            <>
              {report.truncated && <p className="notice">More events than one analysis reads: figures cover the window up to {new Date(report.coveredUntil).toLocaleString()}.</p>}
              <HeartbeatStrips report={report} registered={registered} />
            </>
          ) : uptime.error !== null ? (
            <LoadError what="uptime" message={uptime.error} onRetry={uptime.retry} compact />
          ) : (
            <div className="strips strips--loading" role="status" aria-label="Loading uptime">
              <span className="skeleton" />
              <span className="skeleton" />
            </div>
          )}
        </div>
      </section>
      <RecentFailures service={service} />
    </>
  );
}
