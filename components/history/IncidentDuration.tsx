'use client';

import type { Incident } from '@/lib/model/incidents';
import { useNow } from '@/lib/client/useNow';
import { formatDuration } from './format';

/** "3 min 20 s", or an "Ongoing" badge with how long so far. */
export function IncidentDuration({ incident }: { incident: Pick<Incident, 'openedAt' | 'durationMs'> }) {
  const now = useNow();
  if (incident.durationMs !== null) return <span>{formatDuration(incident.durationMs)}</span>;
  return (
    <span className="ongoing-badge">
      <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
        <path d="M5 0.2 9.8 5 5 9.8 0.2 5Z" fill="currentColor" />
      </svg>
      Ongoing
      {now !== null && <span className="ongoing-badge__for">{formatDuration(Math.max(0, now - Date.parse(incident.openedAt)))}</span>}
    </span>
  );
}
