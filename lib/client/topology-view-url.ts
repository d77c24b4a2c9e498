'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'next/navigation';
import { parseTopologyView, topologyViewToParams, type TopologyViewState } from '@/lib/model/topology-view';

/**
 * The map's view, starting from the URL and mirrored back into it (replace, not push), so a
 * reload or a shared link shows the same selection, filters, focus and grouping.
 */
export function useTopologyView(): [TopologyViewState, (patch: Partial<TopologyViewState>) => void] {
  const searchParams = useSearchParams();
  const [view, setView] = useState(() => parseTopologyView(searchParams));
  const update = useCallback((patch: Partial<TopologyViewState>) => setView((current) => ({ ...current, ...patch })), []);
  // Searches this view wrote itself come back through useSearchParams a little later: those
  // echoes must not overwrite newer state; anything else is a navigation to adopt.
  const written = useRef<Set<string> | null>(null);
  written.current ??= new Set([searchParams.toString()]);

  useEffect(() => {
    const search = new URLSearchParams(topologyViewToParams(view)).toString();
    if (search === window.location.search.replace(/^\?/, '')) return;
    written.current?.add(search);
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`);
  }, [view]);

  useEffect(() => {
    const search = searchParams.toString();
    if (written.current?.has(search)) return;
    written.current = new Set([search]);
    setView(parseTopologyView(searchParams));
  }, [searchParams]);

  return [view, update];
}
