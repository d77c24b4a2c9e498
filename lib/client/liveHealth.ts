import type { RegistryStatus } from '@/lib/model/live';
import type { ConnectionState } from './useLiveState';

/** How live the screen is: green only when the socket is up and the server is synced with etcd. */
export interface LiveIndicator {
  tone: 'live' | 'pending' | 'degraded' | 'down';
  label: string;
  /** One sentence for the tooltip and screen readers. */
  explanation: string;
}

/**
 * The header's live pill. A connected socket alone proves only that Switchyard answers; if
 * Switchyard has lost etcd, what it sends is stale, and the pill must not say "Live" in green.
 */
export function liveIndicator(connection: ConnectionState, registry: Pick<RegistryStatus, 'state'>): LiveIndicator {
  if (connection === 'offline') return { tone: 'down', label: 'Offline', explanation: 'This device is offline; showing the last known state.' };
  if (connection === 'reconnecting') return { tone: 'degraded', label: 'Reconnecting…', explanation: 'Lost the connection to Switchyard; showing the last known state.' };
  if (connection === 'connecting') return { tone: 'pending', label: 'Connecting…', explanation: 'Connecting to Switchyard for live updates.' };
  if (registry.state === 'unreachable') return { tone: 'down', label: 'etcd unreachable', explanation: 'Switchyard cannot reach etcd: what is shown may be stale.' };
  if (registry.state === 'connecting') return { tone: 'degraded', label: 'Syncing etcd…', explanation: 'Switchyard is still reading etcd: what is shown may be incomplete.' };
  return { tone: 'live', label: 'Live', explanation: 'Live updates from etcd over Socket.IO.' };
}

/**
 * The banner's headline while the registry is not synced. Caught up after a listing, or listing
 * again after Switchyard's own failure, etcd itself answers: "Connecting to etcd" would send the
 * reader to check etcd for nothing.
 */
export function registryHeadline(registry: Pick<RegistryStatus, 'state' | 'phase'>): string {
  if (registry.state === 'unreachable') return 'etcd unreachable';
  if (registry.phase === 'catching-up') return 'Catching up with etcd';
  if (registry.phase === 'relisting') return 'Reading etcd again';
  return 'Connecting to etcd';
}

/**
 * Why drain and undrain cannot be used right now, or null when they can. Drains are written to
 * etcd and seen back through the watch, so they need both etcd and the live connection.
 */
export function drainBlockedReason(connection: ConnectionState, registry: Pick<RegistryStatus, 'state'>): string | null {
  if (registry.state === 'unreachable') return 'Drain and undrain are unavailable while etcd is unreachable: drains are stored in etcd.';
  if (registry.state === 'connecting') return 'Drain and undrain become available once Switchyard has synced with etcd.';
  if (connection === 'reconnecting' || connection === 'offline') return 'Drain and undrain are unavailable while the connection to Switchyard is lost.';
  return null;
}
