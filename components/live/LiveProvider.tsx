'use client';

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Service } from '@/lib/model/instance';
import type { Snapshot } from '@/lib/model/live';
import { withMetadataPatches, type MetadataPatches } from '@/lib/model/rsc-metadata';
import { servicesOf } from '@/lib/client/liveServices';
import { useLiveState, type LiveView } from '@/lib/client/useLiveState';

export interface LiveContextValue extends LiveView {
  /** Services in name order; unchanged services keep their object identity across updates. */
  services: Service[];
}

const LiveContext = createContext<LiveContextValue | null>(null);

/**
 * Owns the tab's live state for every page below it, seeded by the server-rendered snapshot.
 * `metadataPatches` restores the `__proto__` metadata keys React strips from Server Component props.
 */
export function LiveProvider({ initial, metadataPatches, children }: { initial: Snapshot; metadataPatches: MetadataPatches; children: ReactNode }) {
  const seed = useMemo(() => withMetadataPatches(initial, metadataPatches), [initial, metadataPatches]);
  const view = useLiveState(seed);
  const services = useMemo(() => servicesOf(view.state), [view.state]);
  const value = useMemo(() => ({ ...view, services }), [view, services]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveContextValue {
  const value = useContext(LiveContext);
  if (value === null) throw new Error('useLive() must be used inside <LiveProvider>');
  return value;
}
