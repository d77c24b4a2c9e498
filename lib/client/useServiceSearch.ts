'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';
import { MAX_SEARCH_CHARS } from '@/lib/model/filter';

/** Typing pauses this long before the server is asked. */
const SEARCH_DEBOUNCE_MS = 250;
/** Matches beyond this many services are not worth listing: the search narrows further. */
const SEARCH_LIMIT = 1_000;

const NamesSchema = z.object({ services: z.array(z.object({ name: z.string() })) });

/**
 * The services whose instances match a search (ids, addresses, metadata values), asked of the
 * server (`GET /api/v1/services?search=`) since the browser holds summaries only. Names match in
 * the browser at once; this adds the rest when the answer comes. null: nothing to add (empty search,
 * not answered yet, or failed — the list then matches names only).
 */
export function useServiceSearch(search: string): ReadonlySet<string> | null {
  const needle = search.trim().slice(0, MAX_SEARCH_CHARS);
  const [hits, setHits] = useState<{ needle: string; names: ReadonlySet<string> } | null>(null);
  useEffect(() => {
    if (needle === '') return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      const url = `/api/v1/services?search=${encodeURIComponent(needle)}&limit=${SEARCH_LIMIT}`;
      fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal: abort.signal })
        .then(async (response) => (response.ok ? NamesSchema.safeParse(await response.json()) : null))
        .then((parsed) => {
          if (parsed?.success) setHits({ needle, names: new Set(parsed.data.services.map((service) => service.name)) });
        })
        .catch(() => {
          // Aborted by the next keystroke, or the network: names still match locally.
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [needle]);
  return hits !== null && hits.needle === needle ? hits.names : null;
}
