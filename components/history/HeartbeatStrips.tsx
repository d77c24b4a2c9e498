'use client';

import { useMemo, useState } from 'react';
import { inStripOrder, type UptimeReport } from '@/lib/model/uptime';
import { formatUptime } from './format';
import { HeartbeatStrip } from './HeartbeatStrip';
import { StripLegend } from './StripLegend';

/** More instances than this are folded behind a button. */
const SHOWN = 20;

const WINDOW_START: Record<string, string> = { '24h': '24 h ago', '7d': '7 d ago', '30d': '30 d ago' };

/** The service's strip and one per instance, each with its uptime over the window. */
export function HeartbeatStrips({ report, registered }: { report: UptimeReport; registered: ReadonlySet<string> }) {
  const [all, setAll] = useState(false);
  const fromMs = Date.parse(report.window.from);
  const instances = useMemo(() => inStripOrder(report.instances, registered), [report.instances, registered]);
  const shown = all ? instances : instances.slice(0, SHOWN);
  return (
    <div className="strips">
      <div className="strips__row strips__row--service">
        <span className="strips__name">Service</span>
        <HeartbeatStrip label="Service" cells={report.strip} fromMs={fromMs} bucketMs={report.window.bucketMs} />
        <span className="strips__uptime" title="Share of the known time the service was not critical">
          {formatUptime(report.uptime)}
        </span>
      </div>
      {shown.map((instance) => (
        <div key={instance.id} className="strips__row">
          <span className="strips__name mono" title={instance.id}>
            <span className="truncate">{instance.id}</span>
            {!registered.has(instance.id) && <span className="tag strips__gone">gone</span>}
          </span>
          <HeartbeatStrip label={`Instance ${instance.id}`} cells={instance.strip} fromMs={fromMs} bucketMs={report.window.bucketMs} />
          <span className="strips__uptime">{formatUptime(instance.uptime)}</span>
        </div>
      ))}
      <div className="strips__row strips__axis" aria-hidden="true">
        <span />
        <span className="strips__ticks">
          <span>{WINDOW_START[report.window.name ?? ''] ?? ''}</span>
          <span>now</span>
        </span>
        <span />
      </div>
      {instances.length > SHOWN && (
        <button type="button" className="button button--quiet" onClick={() => setAll((value) => !value)}>
          {all ? 'Show fewer instances' : `Show all ${instances.length} instances`}
        </button>
      )}
      <StripLegend />
    </div>
  );
}
