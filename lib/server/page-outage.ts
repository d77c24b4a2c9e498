import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth/guard';
import { secureCookies } from './auth/cookies';
import { DATABASE_UNAVAILABLE } from './database-outage';
import { isDatabaseUnreachable } from './history/unreachable';
import { routedPath } from './request-path';
import { whenResponseEnds } from './response-end';
import type { Runtime } from './runtime';

/** What a browser asks for when it loads or navigates to a page (a document, or Next's RSC fetch). */
function isPageRequest(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  // The routed path: `/./api/…` reaches the API, whose JSON 503 the outage page must not replace.
  const path = routedPath(request.url ?? '/');
  if (path.startsWith('/api/') || path.startsWith('/_next/')) return false;
  return request.headers.rsc !== undefined || (request.headers.accept ?? '').includes('text/html');
}

/** Self-contained (no script, so no nonce); reloads itself after the `Retry-After`. */
const OUTAGE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${DATABASE_UNAVAILABLE.retryAfterSeconds}">
<title>Database unreachable · Switchyard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1 style="font-size: 1.25rem">Switchyard’s database is unreachable</h1>
<p>Switchyard cannot check your sign-in right now: its database does not answer (a restart or a failover, most likely).
Sign-ins it checked in the last minute keep working meanwhile; yours is not among them.</p>
<p>This page tries again every ${DATABASE_UNAVAILABLE.retryAfterSeconds} seconds by itself.</p>
</body></html>`;

/**
 * While the database is known to be unreachable, a page request is answered here, ahead of Next,
 * when its credentials cannot be checked: 503 with `Retry-After` and a page that says so. Next
 * gives a page no way to set its status, and its error page would be a 500 showing a digest. A
 * request whose credentials are still vouched for from memory, or that carries none, goes on to
 * Next with that answer (`checked-visitors.ts`): the page does not check them a second time. The first page request of an outage finds out inside Next: `visitor()` redirects it to its
 * own URL, so it arrives here. True when answered.
 */
export async function answeredDuringOutage(request: IncomingMessage, response: ServerResponse, runtime: Pick<Runtime, 'auth' | 'checkedVisitors' | 'config' | 'database'>): Promise<boolean> {
  if (runtime.database.since() === null || !isPageRequest(request)) return false;
  try {
    const principal = await authenticate(runtime.auth, request.headers, secureCookies(runtime.config));
    // Next's page takes this answer rather than waiting on the database a second time; forgotten
    // when the response ends, also one whose client left during the check or whose connection dropped.
    whenResponseEnds(request, response, runtime.checkedVisitors.keep(request.headers, principal));
    return false;
  } catch (error) {
    // Anything else is Next's to answer (and log), as it would be without this check.
    if (!isDatabaseUnreachable(error)) return false;
  }
  response.writeHead(DATABASE_UNAVAILABLE.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': String(DATABASE_UNAVAILABLE.retryAfterSeconds),
    'content-length': Buffer.byteLength(OUTAGE_PAGE),
  });
  response.end(request.method === 'HEAD' ? undefined : OUTAGE_PAGE);
  return true;
}
