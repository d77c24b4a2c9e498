/** Within this much of our clock, a reporter's interval is taken as it says. */
export const TRUSTED_SKEW_SECONDS = 30;
/** How late another replica's calls or probe results may reach us (its 100 ms batches, a busy database): not a clock difference. */
export const REPLICA_TRIP_SECONDS = 5;
/**
 * Beyond this (35 s), another replica's clock counts as apart from ours: its calls are placed on our
 * clock (`MetricsStore.replay`) and its probe results timed on it (`onOurClock`). One bound for both,
 * so one replica's calls and probes are never judged against two different ones.
 */
export const REPLICA_SKEW_SECONDS = TRUSTED_SKEW_SECONDS + REPLICA_TRIP_SECONDS;
/** Beyond this, an interval is refused: the reporter's clock is broken, not merely skewed. */
export const MAX_SKEW_SECONDS = 24 * 3_600;

/** Whether a time another replica gave (`theirMs`) is too far from ours (`ourMs`) to keep: past `REPLICA_SKEW_SECONDS`, or not a time at all. */
export const apartFromOurClock = (theirMs: number, ourMs: number): boolean => !(Math.abs(theirMs - ourMs) <= REPLICA_SKEW_SECONDS * 1_000);
