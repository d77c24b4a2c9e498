import type { SyntheticEvent } from 'react';
import type { LastProbe } from '@/lib/model/instance';
import { formatAgo, formatClock } from '@/lib/client/formatTime';
import { formatMs } from '../charts/format';
import { serverNow } from '@/lib/client/serverClock';

export function lastProbeTitle(probe: LastProbe, now: number): string {
  const at = `${formatClock(probe.at)} (${formatAgo(probe.at, now)})`;
  return probe.ok ? `Probe at ${at}: OK in ${formatMs(probe.latencyMs)}` : `Probe at ${at} failed after ${formatMs(probe.latencyMs)}: ${probe.error ?? 'no detail'}`;
}

/**
 * The latest probe's latency; a failed one is marked by shape and colour. The tooltip (local
 * time, how long ago, the error) is computed when hovered, so "ago" is fresh without a ticking clock.
 */
export function LastProbeCell({ probe }: { probe: LastProbe | undefined }) {
  if (!probe) return <span className="muted">—</span>;
  const refreshTitle = (event: SyntheticEvent<HTMLElement>) => {
    event.currentTarget.title = lastProbeTitle(probe, serverNow());
  };
  return (
    <span className={probe.ok ? 'last-probe' : 'last-probe last-probe--failed'} onPointerEnter={refreshTitle}>
      {!probe.ok && (
        <>
          <span aria-hidden="true">✕ </span>
          <span className="visually-hidden">failed: {probe.error ?? 'no detail'}, after </span>
        </>
      )}
      {formatMs(probe.latencyMs)}
    </span>
  );
}
