'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';
import { NODE_KINDS } from '@/lib/model/topology/topology';
import { pollWhileVisible } from './poll-while-visible';

/** As often as the map's call statistics: origins move with statuses and edges. */
export const ORIGINS_REFRESH_MS = 5_000;

const OriginsSchema = z.object({
  origins: z.array(
    z.object({
      id: z.string(),
      explains: z.array(z.string()),
      peers: z.array(z.string()),
      dependencies: z.number(),
      recoveredAt: z.string().optional(),
      kind: z.enum(NODE_KINDS),
    }),
  ),
});
export type LikelyOrigin = z.infer<typeof OriginsSchema>['origins'][number];

const NO_ORIGINS: LikelyOrigin[] = [];

/**
 * The likely origins of the current failure (`GET /api/v1/topology?origins=only`), polled while
 * `wanted` (a page whose service is failing) and the tab is visible: the map's analysis, for pages
 * that mark the services it names and do not draw the map. None otherwise.
 */
export function useLikelyOrigins(wanted: boolean): LikelyOrigin[] {
  const [origins, setOrigins] = useState<LikelyOrigin[]>(NO_ORIGINS);
  useEffect(() => {
    if (!wanted) return;
    // The state changes only when the answer does, so rows marked by it are not drawn again every poll.
    let last = '';
    return pollWhileVisible(async (signal) => {
      try {
        const response = await fetch('/api/v1/topology?origins=only', { signal, cache: 'no-store' });
        if (!response.ok) return;
        const text = await response.text();
        if (text === last) return;
        setOrigins(OriginsSchema.parse(JSON.parse(text)).origins);
        last = text;
      } catch {
        // A failed poll keeps the last answer; the next one tries again.
      }
    }, ORIGINS_REFRESH_MS);
  }, [wanted]);
  return wanted ? origins : NO_ORIGINS;
}
