import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Principal } from '@/lib/model/auth';
import { authenticateProgram } from './auth/guard';
import type { Auth } from './auth/service';
import { errorBody } from './http';

/**
 * A program endpoint's whole reply (ingest, OTLP) in one write: its length goes in the head. With
 * a head and no length Node sends the body chunked, head, chunk and terminator gathered into a
 * writev, on requests the whole fleet makes every few seconds.
 */
export function sendReply(response: ServerResponse, status: number, type: string, body: Uint8Array | string, headers: OutgoingHttpHeaders = {}): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': length, ...headers });
  if (length === 0) response.end();
  else response.end(body);
}

/**
 * One step of a program request, run from a callback: whatever it throws is logged and answered
 * 500 (unless a reply went out already), never escapes into the server.
 */
export function guardedStep(response: ServerResponse, work: () => void, failure = 'internal error'): void {
  try {
    work();
  } catch (error) {
    console.error(error);
    if (!response.headersSent) sendReply(response, 500, 'application/json', JSON.stringify(errorBody('internal', failure)));
  }
}

/**
 * The request's API token, then `next` with its principal or null: at once when the token cache
 * answers alone, so a fleet's requests wait for no promise (each costs more with Next's async hooks on).
 */
export function withProgramPrincipal(auth: Auth, request: IncomingMessage, response: ServerResponse, next: (principal: Principal | null) => void): void {
  guardedStep(response, () => {
    const principal = authenticateProgram(auth, request.headers.authorization ?? '');
    if (!(principal instanceof Promise)) return next(principal);
    principal.then(
      (known) => guardedStep(response, () => next(known)),
      (error: unknown) =>
        guardedStep(response, () => {
          throw error;
        }),
    );
  });
}
