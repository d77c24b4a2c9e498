import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './http';

const MESSAGE = 'the path is not valid percent-encoded UTF-8';

/** Characters the URL parser keeps as written in a path: nothing to resolve (no dot, no escape). */
const PLAIN_PATH = /^\/[A-Za-z0-9/_~!$&'()*+,;=:@-]*$/;

/**
 * The path Next routes a request to: it resolves dot segments, plain or escaped (`/./api/…`,
 * `/x/%2e%2e/api/…`), as the WHATWG URL parser does, so a prefix test on the raw target misjudges
 * where such a request goes. A path holding `//` or a backslash is left as written: Next routes it nowhere
 * but answers 308 to its cleaned form (base-server's normalizeRepeatedSlashes), and the parser
 * would read `//x/api/…` as host `x` and path `/api/…`.
 */
export function routedPath(url: string): string {
  const path = url.split('?', 1)[0] ?? url;
  if (/\/\/|\\/.test(path)) return path;
  // Every request asks (the program endpoints, the API gate, methods, the outage check): a path of
  // characters the parser keeps as they are, with no dot or escape to resolve, is its own answer.
  if (PLAIN_PATH.test(path)) return path;
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return url;
  }
}

/** A request path whose percent-escapes do not decode (`%ff`, an encoded surrogate `%ED%A0%80`, a lone `%`). */
export function isMalformedPath(url: string): boolean {
  try {
    decodeURIComponent(url.split('?', 1)[0] ?? '');
    return false;
  } catch {
    return true;
  }
}

/**
 * Answers a malformed path with 400 and returns true. Next decodes a route's params itself and
 * answers such a path with a plain-text 500, before any handler of ours runs and unauthenticated;
 * the path names nothing, so it is refused ahead of Next: the API's error shape where Next would
 * route it to the API (`routedPath`: `/./api/…` too), plain text elsewhere.
 */
export function refuseMalformedPath(request: IncomingMessage, response: ServerResponse): boolean {
  const url = request.url ?? '/';
  if (!isMalformedPath(url)) return false;
  response.statusCode = 400;
  response.setHeader('cache-control', 'no-store');
  if (routedPath(url).startsWith('/api/')) {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(errorBody('bad_path', MESSAGE)));
  } else {
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end(`400 Bad Request: ${MESSAGE}\n`);
  }
  return true;
}
