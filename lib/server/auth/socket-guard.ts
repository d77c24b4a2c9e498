import type { IncomingMessage } from 'node:http';
import type { ExtendedError, Server } from 'socket.io';
import type { Principal } from '@/lib/model/auth';
import { CONNECT_REFUSAL, type RetryableRefusal } from '@/lib/model/connect-refusal';
import { DATABASE_UNAVAILABLE } from '../database-outage';
import { isDatabaseUnreachable } from '../history/unreachable';
import { authenticate, originHeaders } from './guard';
import { isCrossSite } from './origin';
import type { Auth } from './service';

/** How often live sockets are re-checked, so an idle-expired session does not keep receiving data. */
const RECHECK_MS = 60_000;

/**
 * Engine.IO's request filter: CORS does not protect WebSockets, so a page on another site could
 * otherwise open one with the user's cookie. Runs before the handshake, for polling and upgrade.
 */
export function socketOriginFilter(publicOrigin: string | undefined) {
  return (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void => {
    const refused = isCrossSite(originHeaders(request.headers), publicOrigin);
    callback(refused ? 'cross-origin connection refused' : null, !refused);
  };
}

/**
 * A handshake whose credentials could not be checked. Not 'unauthenticated': that sends the browser
 * to the login page, which during a database outage could not sign anyone in either. The browser
 * retries after `retryAfterSeconds` (Socket.IO does not retry a refused handshake by itself).
 */
function refusalFor(error: unknown): ExtendedError {
  const unreachable = isDatabaseUnreachable(error);
  // The auth service logged the outage already; anything else is a bug worth its stack.
  if (!unreachable) console.error(error);
  const refusal: ExtendedError = new Error(unreachable ? CONNECT_REFUSAL.databaseUnavailable : CONNECT_REFUSAL.internal);
  const data: RetryableRefusal = unreachable
    ? { message: DATABASE_UNAVAILABLE.message, retryAfterSeconds: DATABASE_UNAVAILABLE.retryAfterSeconds }
    : { message: 'Switchyard could not check your sign-in (internal error)', retryAfterSeconds: DATABASE_UNAVAILABLE.retryAfterSeconds };
  refusal.data = data;
  return refusal;
}

/** What a socket remembers of its rechecks. */
type RecheckState = { principal?: Principal; unvouched?: boolean };

/**
 * Closes the live sockets whose credential no longer holds: revoked or expired, or left unvouched
 * for by two rechecks in a row while the database is unreachable. One is not enough: a socket's
 * credential was last checked by the previous recheck, a minute ago, which is already past the
 * minute a credential is trusted from memory, so a short database blip spanning one recheck would
 * close every tab at once. Such a tab connects again and is told the database is unreachable, as a
 * new one is.
 */
export async function recheckSockets(io: Server, auth: Auth, secure: boolean): Promise<void> {
  await Promise.all(
    [...io.sockets.sockets.values()].map((socket) => {
      const state = socket.data as RecheckState;
      return authenticate(auth, socket.request.headers, secure).then(
        (principal) => {
          state.unvouched = false;
          if (!principal) socket.disconnect(true);
        },
        (error: unknown) => {
          // Any other failure is ours (a bug), not the credential's: the socket stays.
          if (!isDatabaseUnreachable(error)) return;
          if (state.unvouched) socket.disconnect(true);
          state.unvouched = true;
        },
      );
    }),
  );
}

/**
 * Every socket authenticates with the session cookie (browsers) or a Bearer token (other clients)
 * at connect; it is closed when that credential is revoked, and re-checked every minute.
 */
export function guardSockets(io: Server, auth: Auth, secure: boolean): () => void {
  const principalOf = (socket: { data: unknown }): Principal | undefined => (socket.data as RecheckState).principal;
  io.use((socket, next) => {
    authenticate(auth, socket.request.headers, secure)
      .then((principal) => {
        if (!principal) return next(new Error(CONNECT_REFUSAL.unauthenticated));
        (socket.data as RecheckState).principal = principal;
        next();
      })
      .catch((error: unknown) => next(refusalFor(error)));
  });
  const stopListening = auth.onRevoked((ids) => {
    const revoked = new Set(ids);
    for (const socket of io.sockets.sockets.values()) {
      const principal = principalOf(socket);
      if (principal && revoked.has(principal.credentialId)) socket.disconnect(true);
    }
  });
  const recheck = setInterval(() => void recheckSockets(io, auth, secure), RECHECK_MS);
  recheck.unref();
  return () => {
    stopListening();
    clearInterval(recheck);
  };
}
