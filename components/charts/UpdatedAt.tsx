'use client';

import type { ReactNode } from 'react';
import { formatClock } from '@/lib/client/formatTime';
import { refreshIntervalMs } from '@/lib/client/useLatency';
import type { LatencyWindow } from '@/lib/model/latency';
import { stepPhrase } from './format';

/** "12 s", "2 min": the undrawn newest slots (the shaded band at the charts' right edge). */
const arrivingPhrase = (seconds: number): string => (seconds < 120 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`);

/** "1 s slots · live every 2 s · updated 14:03:12 · last 12 s still arriving": how fresh and how fine the charts are. */
export function UpdatedAt({ window, stepSeconds, at, arrivingSeconds }: { window: LatencyWindow; stepSeconds: number | undefined; at: number | null; arrivingSeconds: number | null }) {
  const every = refreshIntervalMs(window) / 1_000;
  const parts: ReactNode[] = [];
  if (stepSeconds !== undefined) parts.push(<span key="step">{stepPhrase(stepSeconds)} slots</span>);
  parts.push(<span key="every">refreshes every {every} s</span>);
  if (at !== null) {
    parts.push(
      <span key="at">
        updated <time dateTime={new Date(at).toISOString()}>{formatClock(at)}</time>
      </span>,
    );
  }
  if (arrivingSeconds !== null) {
    parts.push(
      <span key="arriving" className="latency__arriving" title="Reporters send their calls every few seconds: the newest slots are drawn once every reporter's calls for them can have arrived">
        last {arrivingPhrase(arrivingSeconds)} still arriving (shaded)
      </span>,
    );
  }
  // The separators sit between the parts, so a narrow screen wraps the line there and never inside a part.
  return <p className="latency__meta">{parts.flatMap((part, index) => (index === 0 ? [part] : [' · ', part]))}</p>;
}
