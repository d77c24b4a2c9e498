'use client';

import { liveIndicator } from '@/lib/client/liveHealth';
import { formatClock } from '@/lib/client/formatTime';
import { useNow } from '@/lib/client/useNow';
import { useLive } from '../live/LiveProvider';

/** The live pill: green "Live" only while the socket is up and the server is synced with etcd. */
export function ConnectionIndicator() {
  const { connection, state, lastUpdate } = useLive();
  const now = useNow();
  const indicator = liveIndicator(connection, state.registry);
  const title = `${indicator.explanation}${now !== null && lastUpdate !== null ? ` Last update received at ${formatClock(lastUpdate)}.` : ''}`;
  return (
    <span className={`connection connection--${indicator.tone}`} title={title} role="status" aria-label={`Connection: ${indicator.label}`}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{indicator.label}</span>
    </span>
  );
}
