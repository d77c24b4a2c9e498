'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'next/navigation';
import { isHistoryStep, parseTopologyView, topologyViewToParams, type TopologyViewState } from '@/lib/model/topology/view';

/**
 * The map's view, starting from the URL and mirrored back into it, so a reload or a shared link
 * shows the same selection, filters, focus and grouping. A new selection or focus pushes a history
 * entry (Back returns to the previous one instead of leaving the app); anything else replaces the
 * current entry. Back and Forward restore the view of the entry they land on.
 */
export function useTopologyView(): [TopologyViewState, (patch: Partial<TopologyViewState>) => void] {
  const searchParams = useSearchParams();
  const [view, setView] = useState(() => parseTopologyView(searchParams));
  const update = useCallback((patch: Partial<TopologyViewState>) => setView((current) => ({ ...current, ...patch })), []);
  // Searches this view wrote itself come back through useSearchParams a little later: those
  // echoes must not overwrite newer state; anything else is a navigation to adopt.
  const written = useRef<Set<string> | null>(null);
  written.current ??= new Set([searchParams.toString()]);
  // The view the current history entry holds, to tell a step (push) from a refinement (replace).
  const entry = useRef(view);

  useEffect(() => {
    const search = new URLSearchParams(topologyViewToParams(view)).toString();
    const step = isHistoryStep(entry.current, view);
    entry.current = view;
    if (search === window.location.search.replace(/^\?/, '')) return;
    written.current?.add(search);
    const url = `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`;
    // Next.js patches these to keep its router in step (App Router, 14.1+).
    if (step) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }, [view]);

  useEffect(() => {
    const onPopState = () => {
      const search = window.location.search.replace(/^\?/, '');
      written.current = new Set([search]);
      const restored = parseTopologyView(new URLSearchParams(search));
      entry.current = restored;
      setView(restored);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  useEffect(() => {
    const search = searchParams.toString();
    if (written.current?.has(search)) return;
    written.current = new Set([search]);
    const adopted = parseTopologyView(searchParams);
    entry.current = adopted;
    setView(adopted);
  }, [searchParams]);

  return [view, update];
}
