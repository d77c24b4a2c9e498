/** What a thrown value says, for a log line or a status message. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Where a thrown value came from, for the log: its stack when it has one. */
export const stackOf = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));
