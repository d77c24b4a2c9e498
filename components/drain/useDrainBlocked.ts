'use client';

import { drainBlockedReason } from '@/lib/client/liveHealth';
import { useLive } from '../live/LiveProvider';

/** Why drains cannot be changed right now (etcd unreachable, connection lost), or null. */
export function useDrainBlocked(): string | null {
  const { connection, state } = useLive();
  return drainBlockedReason(connection, state.registry);
}
