import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Principal } from '@/lib/model/auth';
import { authenticateProgram, refusedAuthorization } from './auth/guard';
import type { Auth } from './auth/service';
import { BODY_RETRY_AFTER_SECONDS, type BodyReception } from './body-reception';
import { DATABASE_UNAVAILABLE } from './database-outage';
import { discardRest } from './discard-body';
import { isDatabaseUnreachable } from './history/unreachable';
import { errorBody } from './http';
import { BODY_ERROR_CODES, BODY_TIMEOUT_MS, readBody } from './read-body';
import { whenResponseEnds } from './response-end';

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

/** The contract's JSON error body as a program endpoint's reply. */
export function sendError(response: ServerResponse, status: number, code: string, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendReply(response, status, 'application/json', JSON.stringify(errorBody(code, message)), headers);
}

/**
 * A step that failed, answered unless a reply went out already: 503 with `Retry-After` when the
 * database was unreachable (the token's lookup: the auth service logged the outage), else logged and 500.
 */
function failed(response: ServerResponse, error: unknown, failure: string): void {
  if (isDatabaseUnreachable(error)) {
    const { status, code, message, retryAfterSeconds } = DATABASE_UNAVAILABLE;
    if (!response.headersSent) sendError(response, status, code, message, { 'retry-after': String(retryAfterSeconds) });
    return;
  }
  console.error(error);
  if (!response.headersSent) sendError(response, 500, 'internal', failure);
}

/**
 * One step of a program request, run from a callback: whatever it throws is logged and answered
 * 500 (unless a reply went out already), never escapes into the server.
 */
export function guardedStep(response: ServerResponse, work: () => void, failure = 'internal error'): void {
  try {
    work();
  } catch (error) {
    failed(response, error, failure);
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
      (error: unknown) => failed(response, error, 'internal error'),
    );
  });
}

/** What a request refused a body's place is told (both endpoints: the contract's error body, 429, `Retry-After`). */
const BODY_REFUSALS = {
  busy: `too many request bodies arriving at once; retry after ${BODY_RETRY_AFTER_SECONDS} s`,
  principal_busy: `too many request bodies of this token arriving at once; retry after ${BODY_RETRY_AFTER_SECONDS} s`,
  bytes_busy: `too many bytes of request bodies waiting; retry after ${BODY_RETRY_AFTER_SECONDS} s`,
} as const;
const refuseBody = (response: ServerResponse, refusal: keyof typeof BODY_REFUSALS): void =>
  sendError(response, 429, 'overloaded', BODY_REFUSALS[refusal], { 'retry-after': String(BODY_RETRY_AFTER_SECONDS) });

/**
 * A program request's token and body (ingest, OTLP), then `take` with both: 401 for a token that
 * names no one; then a place for the body (`bodies`, overall and per token: 429 with `Retry-After`
 * at once when there is none), held until the request is answered or its client gone; the body's
 * refusal as `readBody` gives it (408, 413 with the rest discarded, 400, 415), and whatever `take`
 * throws answered 500 with `failure`.
 */
export function receiveProgramBody(
  auth: Auth,
  bodies: BodyReception,
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes: number,
  take: (principal: Principal, body: Buffer) => void,
  failure?: string,
): void {
  withProgramPrincipal(auth, request, response, (principal) => {
    if (!principal) {
      request.resume();
      return sendError(response, 401, 'unauthenticated', refusedAuthorization(request.headers.authorization, 'unknown, expired or revoked API token'));
    }
    const place = bodies.enter(principal.credentialId);
    if (typeof place === 'string') {
      request.resume();
      return refuseBody(response, place);
    }
    // A reply sent, or a client gone (its connection too: a reply pipelined behind another gets no
    // 'close' when it drops): the body is let go (OTLP's processing place goes the same way).
    whenResponseEnds(request, response, place.leave);
    readBody(request, maxBytes, BODY_TIMEOUT_MS, (read) => {
      const fits = place.received(read.ok ? read.body.length : 0);
      if (!read.ok && read.slow) bodies.droppedSlow();
      guardedStep(
        response,
        () => {
          if (read.ok && !fits) return refuseBody(response, 'bytes_busy');
          if (read.ok) return take(principal, read.body);
          sendError(response, read.status, BODY_ERROR_CODES[read.status], read.message);
          if (read.status === 413 || read.status === 408) discardRest(request);
        },
        failure,
      );
    });
  });
}
