'use client';

import type { RegistryStatus } from '@/lib/model/live';
import { registryHeadline } from '@/lib/client/liveHealth';
import { ClientTime } from '../ui/ClientTime';
import { useLive } from '../live/LiveProvider';

function RegistryMessage({ registry }: { registry: RegistryStatus }) {
  // Drains are written to etcd, so the buttons are disabled meanwhile (components/drain/useDrainBlocked).
  const consequence = registry.state === 'unreachable' ? 'data may be stale; drain and undrain are unavailable until it is back' : 'data may be incomplete';
  return (
    <p className="banner__line">
      <strong>
        {registryHeadline(registry)} since <ClientTime at={registry.since} fallback="…" />
      </strong>{' '}
      — {consequence}
      {registry.message && <span className="banner__detail banner__detail--code">{registry.message}</span>}
    </p>
  );
}

/** Says when what's on screen may not be the truth: the socket is down or etcd is not synced. */
export function LiveBanner() {
  const { connection, problem, state, lastUpdate } = useLive();
  const socketDown = connection === 'reconnecting' || connection === 'offline';
  const registryDown = state.registry.state !== 'synced';
  if (!socketDown && !registryDown) return null;
  return (
    <div className={`banner ${socketDown || state.registry.state === 'unreachable' ? 'banner--error' : 'banner--warning'}`} role="alert">
      {socketDown && (
        <p className="banner__line">
          <strong>Connection to Switchyard lost — reconnecting…</strong>
          {problem && <span className="banner__detail">Switchyard says: {problem}.</span>}
          <span className="banner__detail">
            Showing the last known state
            {lastUpdate !== null && (
              <>
                {' '}
                (last update at <ClientTime at={lastUpdate} relative={false} />)
              </>
            )}
          </span>
        </p>
      )}
      {registryDown && <RegistryMessage registry={state.registry} />}
    </div>
  );
}
