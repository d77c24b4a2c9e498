'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';
import { NODE_KINDS } from '@/lib/model/topology';

/** As often as the map's call statistics: origins move with statuses and edges. */
export const ORIGINS_REFRESH_MS = 5_000;

const OriginsSchema = z.object({
  origins: z.array(
    z.object({
      id: z.string(),
      explains: z.array(z.string()),
      peers: z.array(z.string()),
      dependencies: z.number(),
      kind: z.enum(NODE_KINDS),
    }),
  ),
});
export type LikelyOrigin = z.infer<typeof OriginsSchema>['origins'][number];

/** `{"origins":[…]}` from `GET /api/v1/topology?origins=only`; throws on anything else. */
export const parseLikelyOrigins = (body: unknown): LikelyOrigin[] => OriginsSchema.parse(body).origins;

/**
 * The likely origins of the current failure, polled while `wanted` (a page whose service is failing)
 * and the tab is visible: the map's analysis, for pages that do not draw the map. Empty otherwise.
 */
export function useLikelyOrigins(wanted: boolean): LikelyOrigin[] {
  const [origins, setOrigins] = useState<LikelyOrigin[]>([]);
  useEffect(() => {
    if (!wanted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    const poll = async (): Promise<void> => {
      clearTimeout(timer);
      if (document.visibilityState === 'hidden') return;
      controller?.abort();
      controller = new AbortController();
      try {
        const response = await fetch('/api/v1/topology?origins=only', { signal: controller.signal, cache: 'no-store' });
        if (response.ok) setOrigins(parseLikelyOrigins(await response.json()));
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        // A failed poll keeps the last answer; the next one tries again.
      }
      timer = setTimeout(() => void poll(), ORIGINS_REFRESH_MS);
    };
    const onVisibility = (): void => {
      if (document.visibilityState === 'visible') void poll();
      else clearTimeout(timer);
    };
    void poll();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [wanted]);
  return wanted ? origins : [];
}
