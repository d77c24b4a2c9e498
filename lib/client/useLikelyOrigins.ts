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

/** `{"origins":[…]}` from `GET /api/v1/topology?origins=only`; throws on anything else. */
export const parseLikelyOrigins = (body: unknown): LikelyOrigin[] => OriginsSchema.parse(body).origins;

/**
 * The likely origins of the current failure, polled while `wanted` (a page whose service is failing,
 * the Alerts page while anything alerts) and the tab is visible: the map's analysis, for pages that
 * do not draw the map. Empty otherwise.
 */
export function useLikelyOrigins(wanted: boolean): LikelyOrigin[] {
  const [origins, setOrigins] = useState<LikelyOrigin[]>([]);
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
        setOrigins(parseLikelyOrigins(JSON.parse(text)));
        last = text;
      } catch {
        // A failed poll keeps the last answer; the next one tries again.
      }
    }, ORIGINS_REFRESH_MS);
  }, [wanted]);
  return wanted ? origins : [];
}
