'use client';

import { formatClock } from '@/lib/client/formatTime';
import { refreshIntervalMs } from '@/lib/client/useLatency';
import type { LatencyWindow } from '@/lib/model/latency';
import { stepPhrase } from './format';

/** "1 s slots · live every 2 s · updated 14:03:12": how fresh and how fine the charts are. */
export function UpdatedAt({ window, stepSeconds, at }: { window: LatencyWindow; stepSeconds: number | undefined; at: number | null }) {
  const every = refreshIntervalMs(window) / 1_000;
  return (
    <p className="latency__meta">
      {stepSeconds !== undefined && <span>{stepPhrase(stepSeconds)} slots · </span>}
      <span>refreshes every {every} s</span>
      {at !== null && (
        <span>
          {' '}
          · updated <time dateTime={new Date(at).toISOString()}>{formatClock(at)}</time>
        </span>
      )}
    </p>
  );
}
