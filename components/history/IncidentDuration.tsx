'use client';

import type { Incident } from '@/lib/model/incidents';
import { useNow } from '@/lib/client/useNow';
import { formatDuration } from '@/lib/model/duration';
import { ongoingForMs } from './incidents';

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
  const sofar = now === null ? null : formatDuration(ongoingForMs(incident.openedAt, now));
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
