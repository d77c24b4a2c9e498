'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';
import { NODE_KINDS } from '@/lib/model/topology/topology';
import { SharedDepartureSchema, type SharedDeparture } from '@/lib/model/topology/shared-departure';
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
  sharedDeparture: SharedDepartureSchema.nullable(),
});
export type LikelyOrigin = z.infer<typeof OriginsSchema>['origins'][number];

/** Where the current failure probably starts: origins, or most of the fleet leaving etcd together (said in their place). */
export interface LikelyCause {
  origins: LikelyOrigin[];
  departure: SharedDeparture | null;
}

const NO_CAUSE: LikelyCause = { origins: [], departure: null };

/** `{"origins":[…],"sharedDeparture":…}` from `GET /api/v1/topology?origins=only`; throws on anything else. */
export function parseLikelyCause(body: unknown): LikelyCause {
  const { origins, sharedDeparture } = OriginsSchema.parse(body);
  return { origins, departure: sharedDeparture };
}

/**
 * The likely cause of the current failure, polled while `wanted` (a page whose service is failing,
 * the Alerts page while anything alerts) and the tab is visible: the map's analysis, for pages that
 * do not draw the map. Nothing otherwise.
 */
export function useLikelyCause(wanted: boolean): LikelyCause {
  const [cause, setCause] = useState<LikelyCause>(NO_CAUSE);
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
        setCause(parseLikelyCause(JSON.parse(text)));
        last = text;
      } catch {
        // A failed poll keeps the last answer; the next one tries again.
      }
    }, ORIGINS_REFRESH_MS);
  }, [wanted]);
  return wanted ? cause : NO_CAUSE;
}

/** The likely origins alone (`useLikelyCause`), for pages that mark the services they name. */
export const useLikelyOrigins = (wanted: boolean): LikelyOrigin[] => useLikelyCause(wanted).origins;
