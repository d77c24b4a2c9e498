'use client';

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { SummarySnapshot } from '@/lib/model/live';
import type { ServiceSummary } from '@/lib/model/service-summary';
import { summariesOf } from '@/lib/model/views';
import { useLiveState, type LiveView } from '@/lib/client/useLiveState';

export interface LiveContextValue extends LiveView {
  /** Every service's summary in name order; an unchanged service keeps its object across updates. */
  summaries: ServiceSummary[];
}

const LiveContext = createContext<LiveContextValue | null>(null);

/**
 * Owns the tab's summary view (the header, banners, services list and map read it) for every page
 * below it, seeded by the server-rendered summaries. A page that shows instances subscribes to its
 * service on its own (`useServiceView`).
 */
export function LiveProvider({ initial, children }: { initial: SummarySnapshot; children: ReactNode }) {
  const view = useLiveState(initial);
  const summaries = useMemo(() => summariesOf(view.state), [view.state]);
  const value = useMemo(() => ({ ...view, summaries }), [view, summaries]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveContextValue {
  const value = useContext(LiveContext);
  if (value === null) throw new Error('useLive() must be used inside <LiveProvider>');
  return value;
}
