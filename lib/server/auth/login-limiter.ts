/**
 * Failed logins per client address in a sliding window: stops password spraying across many
 * accounts, which the per-account lockout alone does not see. In memory: a restart forgets it,
 * and the per-account lockout (in the database) still holds.
 */
export function createLoginLimiter(options: { maxFailures: number; windowMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (address: string): number[] => {
    const since = now() - options.windowMs;
    const kept = (failures.get(address) ?? []).filter((at) => at > since);
    if (kept.length > 0) failures.set(address, kept);
    else failures.delete(address);
    return kept;
  };

  return {
    /** Seconds until this address may try again, or 0. */
    retryAfterSeconds(address: string): number {
      const kept = recent(address);
      if (kept.length < options.maxFailures) return 0;
      const oldest = kept[kept.length - options.maxFailures] ?? now();
      return Math.max(1, Math.ceil((oldest + options.windowMs - now()) / 1000));
    },
    fail(address: string): void {
      const kept = recent(address);
      kept.push(now());
      failures.set(address, kept);
      // Bounded memory under a flood of distinct addresses.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
  };
}
