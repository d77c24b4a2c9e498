import { CONNECT_REFUSAL, RetryableRefusalSchema } from '@/lib/model/connect-refusal';

/** When the server gives no time to wait before trying again. */
const DEFAULT_RETRY_MS = 5_000;

export type ConnectErrorAction =
  /** The session ended: sign in again and come back. */
  | { kind: 'sign-in' }
  /** Refused by the server's guard: Socket.IO does not try again by itself after that, so we do. */
  | { kind: 'retry'; afterMs: number; problem: string | null }
  /** A transport failure: Socket.IO's own reconnection is under way. */
  | { kind: 'wait' };

/**
 * What the tab does about a `connect_error`. `active` is Socket.IO's `socket.active`: false when the
 * server's middleware refused the handshake, which Socket.IO never retries on its own — without a
 * retry here the live view stayed dead after a database outage.
 */
export function connectErrorAction(error: { message: string; data?: unknown }, active: boolean): ConnectErrorAction {
  if (error.message === CONNECT_REFUSAL.unauthenticated) return { kind: 'sign-in' };
  if (active) return { kind: 'wait' };
  const refusal = RetryableRefusalSchema.safeParse(error.data);
  return refusal.success ? { kind: 'retry', afterMs: refusal.data.retryAfterSeconds * 1000, problem: refusal.data.message } : { kind: 'retry', afterMs: DEFAULT_RETRY_MS, problem: null };
}
