'use client';

import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import { useSearchParams } from 'next/navigation';
import { historySearch, parseHistoryFilters, resolveScope, type EventFilter, type EventScope, type HistoryFilters } from '@/lib/model/history-query';
import { serverNow } from './serverClock';

export type FiltersUpdate = (patch: Partial<HistoryFilters>, mode?: 'replace' | 'push') => void;

/**
 * The History page's filters live in the URL, so a link shows the same view. The URL is the one
 * source of truth: updates write it (replaceState, or pushState for a change worth a Back step)
 * and Next reports it back through useSearchParams.
 */
export function useHistoryFilters(): [HistoryFilters, FiltersUpdate] {
  const searchParams = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => {
    const params = new URLSearchParams(search);
    return parseHistoryFilters((name) => params.get(name));
  }, [search]);
  const update = useCallback<FiltersUpdate>((patch, mode = 'replace') => {
    const { location, history } = window;
    const params = new URLSearchParams(location.search);
    const current = parseHistoryFilters((name) => params.get(name));
    const next = historySearch({ ...current, ...patch });
    if (next === historySearch(current)) return;
    const url = `${location.pathname}${next ? `?${next}` : ''}${location.hash}`;
    // null state: Next's patched history adopts the URL as its own (useSearchParams, Back).
    if (mode === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }, []);
  return [filters, update];
}

const subscribeNever = () => () => undefined;

/** False while server rendering and hydrating, true in the browser after. */
export function useInBrowser(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}

/**
 * Fixes a scope's time range at the moment it is first seen in the browser ("last 24 h" becomes
 * since = now − 24 h), and keeps that filter object until the scope (by value) or `anchor` changes.
 * null while server rendering: the server's clock is not the reader's.
 */
export function useAnchoredFilter(scope: EventScope | null, anchor = 0): EventFilter | null {
  const key = scope === null ? null : JSON.stringify(scope);
  const inBrowser = useInBrowser();
  const [fixed, setFixed] = useState<{ key: string; anchor: number; filter: EventFilter } | null>(null);
  const current = fixed !== null && fixed.key === key && fixed.anchor === anchor;
  if (inBrowser && scope !== null && key !== null && !current) {
    // Adjusting state while rendering (React's pattern for "reset on prop change"): one extra render, no effect.
    setFixed({ key, anchor, filter: resolveScope(scope, serverNow()) });
  }
  return current ? fixed.filter : null;
}
