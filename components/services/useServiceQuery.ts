'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'next/navigation';
import { parseServiceQuery, serviceQueryToParams, type ServiceQuery } from '@/lib/model/filter';

/**
 * The services table query, starting from the URL and mirrored back into it (replace, not push),
 * so reloads, the back button and shared links all show the same view.
 */
export function useServiceQuery(): [ServiceQuery, (patch: Partial<ServiceQuery>) => void] {
  const searchParams = useSearchParams();
  const [query, setQuery] = useState(() => parseServiceQuery((name) => searchParams.get(name)));
  const update = useCallback((patch: Partial<ServiceQuery>) => setQuery((q) => ({ ...q, ...patch })), []);
  // Search strings this view put in the URL itself. Next reports them back through
  // useSearchParams a little later (in a transition), possibly behind newer typing: those echoes
  // must not overwrite the state; anything else is a navigation (e.g. the nav link) to adopt.
  const written = useRef<Set<string> | null>(null);
  written.current ??= new Set([searchParams.toString()]);

  useEffect(() => {
    const search = new URLSearchParams(serviceQueryToParams(query)).toString();
    if (search === window.location.search.replace(/^\?/, '')) return;
    written.current?.add(search);
    // null state: Next's patched history then adopts the URL as its own (useSearchParams, back).
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`);
  }, [query]);

  useEffect(() => {
    const search = searchParams.toString();
    if (written.current?.has(search)) return;
    written.current = new Set([search]);
    setQuery(parseServiceQuery((name) => searchParams.get(name)));
  }, [searchParams]);

  return [query, update];
}
