'use client';

import type { ConnectionState } from '@/lib/client/useLiveState';
import { formatClock } from '@/lib/client/formatTime';
import { useNow } from '@/lib/client/useNow';
import { useLive } from '../live/LiveProvider';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function ConnectionIndicator() {
  const { connection, lastUpdate } = useLive();
  const now = useNow();
  const title =
    now !== null && lastUpdate !== null ? `Last update received at ${formatClock(lastUpdate)}` : 'Live updates over Socket.IO';
  return (
    <span className={`connection connection--${connection}`} title={title} role="status" aria-label={`Connection: ${LABELS[connection]}`}>
      <span className="connection__dot" aria-hidden="true" />
      {LABELS[connection]}
    </span>
  );
}
