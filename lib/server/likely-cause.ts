import type { EdgeStats } from '@/lib/model/latency';
import type { SummarySnapshot } from '@/lib/model/live';
import { likelyCauseOfFleet, NO_CAUSE, type LikelyCause } from '@/lib/model/topology/likely-cause';

/**
 * How long one build answers for while the summaries stay as they were: the call statistics move
 * without them, and the map polls its own every 5 s (OBSERVED_REFRESH_MS), so it is never fresher.
 */
export const LIKELY_CAUSE_MAX_AGE_MS = 5_000;

const built = new WeakMap<SummarySnapshot, { at: number; cause: LikelyCause }>();

/**
 * The fleet's likely cause (likelyCauseOfFleet), built at most once per store summary snapshot
 * (the store keeps one object per change) and LIKELY_CAUSE_MAX_AGE_MS, shared by every request: in
 * an outage, exactly when the topology is built (60–300 ms at 10,000 services), every open Alerts
 * page re-renders every 5 s — pages pass no API admission — and the services list and service pages
 * poll GET /api/v1/topology?origins=only. `observed` is read only to build. A computation that
 * throws answers no cause (logged once per build) rather than failing the page or the poll.
 */
export function fleetLikelyCause(snapshot: SummarySnapshot, observed: () => readonly EdgeStats[], now: number): LikelyCause {
  const last = built.get(snapshot);
  if (last && now - last.at < LIKELY_CAUSE_MAX_AGE_MS) return last.cause;
  let cause = NO_CAUSE;
  try {
    cause = likelyCauseOfFleet(snapshot.services, observed(), snapshot.registry, now);
  } catch (error) {
    console.error('likely cause: could not be worked out; pages say none', error);
  }
  built.set(snapshot, { at: now, cause });
  return cause;
}
