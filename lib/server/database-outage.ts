/** What every door answers when the database is needed and unreachable: 503, this `Retry-After`, this code. */
export const DATABASE_UNAVAILABLE = {
  status: 503,
  retryAfterSeconds: 5,
  code: 'database_unavailable',
  message: 'the console’s database is unreachable; retry shortly',
} as const;

/** The database's reachability as requests find it, logged once per outage rather than per request. */
export interface DatabaseOutage {
  /** A request found the database unreachable. The first of an outage is logged with its cause. */
  unreachable(error: unknown): void;
  /** A request was answered by the database: ends an outage, logged with how long it lasted. */
  reachable(): void;
  /** When the current outage was first noticed; null while the database answers. */
  since(): number | null;
}

export function createDatabaseOutage(options: { now: () => number; log: (line: string) => void }): DatabaseOutage {
  let since: number | null = null;
  let failures = 0;
  return {
    unreachable(error) {
      failures += 1;
      if (since !== null) return;
      since = options.now();
      const cause = error instanceof Error ? error.message : String(error);
      options.log(`database unreachable (${cause}): recently verified sign-ins are served from memory, everything else that needs it answers 503 until it is back`);
    },
    reachable() {
      if (since === null) return;
      const seconds = Math.round((options.now() - since) / 1000);
      options.log(`database reachable again after ${seconds} s (${failures} request(s) found it unreachable)`);
      since = null;
      failures = 0;
    },
    since: () => since,
  };
}
