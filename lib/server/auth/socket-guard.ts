import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import type { Principal } from '@/lib/model/auth';
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
 * Every socket authenticates with the session cookie (browsers) or a Bearer token (other clients)
 * at connect; it is closed when that credential is revoked, and re-checked every minute.
 */
export function guardSockets(io: Server, auth: Auth, secure: boolean): () => void {
  const principalOf = (socket: { data: unknown }): Principal | undefined => (socket.data as { principal?: Principal }).principal;
  io.use((socket, next) => {
    authenticate(auth, socket.request.headers, secure)
      .then((principal) => {
        if (!principal) return next(new Error('unauthenticated'));
        (socket.data as { principal?: Principal }).principal = principal;
        next();
      })
      .catch(() => next(new Error('unauthenticated')));
  });
  const stopListening = auth.onRevoked((ids) => {
    const revoked = new Set(ids);
    for (const socket of io.sockets.sockets.values()) {
      const principal = principalOf(socket);
      if (principal && revoked.has(principal.credentialId)) socket.disconnect(true);
    }
  });
  const recheck = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      void authenticate(auth, socket.request.headers, secure).then(
        (principal) => principal || socket.disconnect(true),
        () => undefined,
      );
    }
  }, RECHECK_MS);
  recheck.unref();
  return () => {
    stopListening();
    clearInterval(recheck);
  };
}
