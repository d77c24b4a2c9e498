'use client';

import type { Incident } from '@/lib/model/incidents';
import { useNow } from '@/lib/client/useNow';
import { formatDuration } from './format';

/** How long an open incident has lasted so far; to the minute once past one, so it does not tick every second. */
function sinceOpened(openedAt: string, now: number): number {
  const ms = Math.max(0, now - Date.parse(openedAt));
  return ms < 60_000 ? ms : Math.floor(ms / 60_000) * 60_000;
}

/** "3 min 20 s", or an "Ongoing" badge with how long so far. */
export function IncidentDuration({ incident }: { incident: Pick<Incident, 'openedAt' | 'durationMs'> }) {
  const now = useNow();
  if (incident.durationMs === 0) {
    return (
      <span className="muted" title="Over at once: an instance vanished (its lease expired) and nothing else failed">
        momentary
      </span>
    );
  }
  if (incident.durationMs !== null) return <span>{formatDuration(incident.durationMs)}</span>;
  const sofar = now === null ? null : formatDuration(sinceOpened(incident.openedAt, now));
  return (
    <span className="ongoing-badge" title={sofar === null ? 'Still open' : `Open for ${sofar} so far`}>
      <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
        <path d="M5 0.2 9.8 5 5 9.8 0.2 5Z" fill="currentColor" />
      </svg>
      Ongoing
      {sofar !== null && <span className="ongoing-badge__for">{sofar}</span>}
    </span>
  );
}
