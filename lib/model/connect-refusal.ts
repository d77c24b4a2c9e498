import { z } from 'zod';

/**
 * Why the server refused a socket at its handshake: Socket.IO's `connect_error` message, with
 * `data` saying when to try again when trying again can help. Shared by the guard and the browser.
 */
export const CONNECT_REFUSAL = {
  /** No valid session or token: sign in again. */
  unauthenticated: 'unauthenticated',
  /** The credentials could not be checked: the database is unreachable. */
  databaseUnavailable: 'database_unavailable',
  /** The check failed for another reason (logged on the server). */
  internal: 'internal',
} as const;

/** What a refusal that is worth retrying carries in `data`. */
export const RetryableRefusalSchema = z.object({ message: z.string().max(300), retryAfterSeconds: z.number().int().min(1).max(300) });
export type RetryableRefusal = z.infer<typeof RetryableRefusalSchema>;
