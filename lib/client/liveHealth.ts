import type { RegistryPhase, RegistryStatus } from '@/lib/model/live';
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
export function liveIndicator(connection: ConnectionState, registry: Pick<RegistryStatus, 'state' | 'phase'>): LiveIndicator {
  if (connection === 'offline') return { tone: 'down', label: 'Offline', explanation: 'This device is offline; showing the last known state.' };
  if (connection === 'reconnecting') return { tone: 'degraded', label: 'Reconnecting…', explanation: 'Lost the connection to Switchyard; showing the last known state.' };
  if (connection === 'connecting') return { tone: 'pending', label: 'Connecting…', explanation: 'Connecting to Switchyard for live updates.' };
  if (registry.state === 'synced') return { tone: 'live', label: 'Live', explanation: 'Live updates from etcd over Socket.IO.' };
  const { pill, explanation } = REGISTRY_WORDS[registryCondition(registry)];
  return { tone: registry.state === 'unreachable' ? 'down' : 'degraded', label: pill, explanation };
}

type RegistryCondition = 'unreachable' | 'connecting' | RegistryPhase;

/**
 * What the banner (headline) and the header's pill (its short form) say while the registry is not
 * synced: one table, so the two never disagree. Caught up after a listing, or listing again after
 * Switchyard's own failure, etcd itself answers: "Connecting to etcd" would send the reader to
 * check etcd for nothing (the pill said "Syncing etcd…" in every phase until 2026-12-07). A pill
 * is no longer than "etcd unreachable", all a phone's first header row holds beside the failing
 * counts: "Connecting to etcd…" pushed the user menu to a row of its own and the pill's top off screen.
 */
const REGISTRY_WORDS: Record<RegistryCondition, { headline: string; pill: string; explanation: string }> = {
  unreachable: { headline: 'etcd unreachable', pill: 'etcd unreachable', explanation: 'Switchyard cannot reach etcd: what is shown may be stale.' },
  connecting: { headline: 'Connecting to etcd', pill: 'Reaching etcd…', explanation: 'Switchyard is still reading etcd: what is shown may be incomplete.' },
  'catching-up': { headline: 'Catching up with etcd', pill: 'Catching up…', explanation: 'Switchyard has listed etcd and is applying the changes since: what is shown may be incomplete.' },
  relisting: { headline: 'Reading etcd again', pill: 'Rereading etcd…', explanation: 'Switchyard is listing etcd again after a failure of its own: what is shown may be incomplete.' },
};

const registryCondition = (registry: Pick<RegistryStatus, 'state' | 'phase'>): RegistryCondition => (registry.state === 'unreachable' ? 'unreachable' : (registry.phase ?? 'connecting'));

/** The banner's headline while the registry is not synced. */
export function registryHeadline(registry: Pick<RegistryStatus, 'state' | 'phase'>): string {
  return REGISTRY_WORDS[registryCondition(registry)].headline;
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
