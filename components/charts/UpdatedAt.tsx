'use client';

import { formatClock } from '@/lib/client/formatTime';
import { refreshIntervalMs } from '@/lib/client/useLatency';
import type { LatencyWindow } from '@/lib/model/latency';
import { stepPhrase } from './format';

/** "12 s", "2 min": the undrawn newest slots (the shaded band at the charts' right edge). */
const arrivingPhrase = (seconds: number): string => (seconds < 120 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`);

/** "1 s slots · live every 2 s · updated 14:03:12 · last 12 s still arriving": how fresh and how fine the charts are. */
export function UpdatedAt({ window, stepSeconds, at, arrivingSeconds }: { window: LatencyWindow; stepSeconds: number | undefined; at: number | null; arrivingSeconds: number | null }) {
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
      {arrivingSeconds !== null && (
        <span className="latency__arriving" title="Reporters send their calls every few seconds: the newest slots are drawn once every reporter's calls for them can have arrived">
          {' '}
          · last {arrivingPhrase(arrivingSeconds)} still arriving (shaded)
        </span>
      )}
    </p>
  );
}
