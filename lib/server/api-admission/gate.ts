import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sessionSecretOf } from '../auth/cookies';
import { limiterKey } from '../auth/login-limiter';
import { sendError } from '../machine-reply';
import { routedPath } from '../request-path';
import { whenResponseEnds } from '../response-end';
import { createApiAdmission, type ApiAdmission, type ApiLimits } from './admission';
import { createTurns, type Turns } from './turns';

/** Seconds a refused client waits before retrying: places free within milliseconds, so soon. */
export const API_RETRY_AFTER_SECONDS = 1;

const API_PREFIX = '/api/';

/** What admits API requests: places per client and in all, and the turns admitted requests start on. */
export interface ApiGate {
  admission: ApiAdmission;
  turns: Turns;
}

export function createApiGate(limits: ApiLimits): ApiGate {
  return { admission: createApiAdmission(limits), turns: createTurns() };
}

/**
 * Who a request counts against: its credential (the `Authorization` header, else the session
 * cookie), known without a lookup, so a flood costs no database round trip to refuse; else its
 * address (the TCP peer, an IPv6 /64), which behind a balancer that hides it is everyone's. Hashed,
 * so no secret is kept. A made-up credential counts alone: the total bound is what stops those.
 */
export function apiClientOf(request: IncomingMessage, secureCookies: boolean): string {
  const credential = request.headers.authorization ?? sessionSecretOf(request.headers, secureCookies);
  if (credential !== undefined) return `credential:${createHash('sha256').update(credential).digest('base64url')}`;
  return `address:${limiterKey(request.socket.remoteAddress ?? 'unknown')}`;
}

/**
 * An API request (`/api/…`) goes on to `proceed` once it has a place (at once, or after a short
 * wait), or is refused here before Next does any work: 429 when its own client holds its share,
 * 503 when everyone together fill the server, both with `Retry-After`. Anything else (pages,
 * `/readyz`, `/metrics`, Next's assets) goes on at once.
 */
export function admitApiRequest(gate: ApiGate, request: IncomingMessage, response: ServerResponse, secureCookies: boolean, proceed: () => void): void {
  // Tested on the routed path: on the raw target, `/./api/…` reached the API past every bound.
  if (!routedPath(request.url ?? '/').startsWith(API_PREFIX)) return proceed();
  const client = apiClientOf(request, secureCookies);
  let ended = false;
  // A client gone before its turn frees its place at once: Next must not then do its work beside the next holder's.
  const entered = gate.admission.enter(client, () => gate.turns.run(client, () => (ended ? undefined : proceed())));
  if (entered.ok) {
    // A reply sent, or a client gone (waiting for a place, or with one): either frees what it held.
    return whenResponseEnds(request, response, () => {
      ended = true;
      entered.leave();
    });
  }
  request.resume();
  const retryAfter = { 'retry-after': String(API_RETRY_AFTER_SECONDS) };
  if (entered.refusal === 'client') {
    return sendError(response, 429, 'too_many_requests', `too many API requests in progress from this client; retry after ${API_RETRY_AFTER_SECONDS} s`, retryAfter);
  }
  sendError(response, 503, 'overloaded', `the server has too many API requests in progress; retry after ${API_RETRY_AFTER_SECONDS} s`, retryAfter);
}
