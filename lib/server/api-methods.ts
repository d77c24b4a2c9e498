import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { errorBody } from './http';
import { routedPath } from './request-path';

/** The methods a Next route handler can export (Next's own HTTP_METHODS). */
const HANDLER_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

type Segment = { kind: 'static'; name: string } | { kind: 'dynamic' } | { kind: 'catch-all' } | { kind: 'optional-catch-all' };

export interface ApiRoute {
  /** The URL pattern, e.g. `/api/v1/services/[service]` (for messages and tests). */
  pattern: string;
  segments: Segment[];
  /** What an OPTIONS request is answered with, in Next's order (sorted). */
  allow: string[];
}

/**
 * The handler methods a route module's source exports: `export [async] function GET`,
 * `export const GET =`, and `export { a as GET }` / `export { GET } from '…'`.
 */
export function exportedMethods(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/^\s*export\s+(?:async\s+)?(?:function\s*\*?|const|let|var)\s+([A-Za-z_$][\w$]*)/gm)) names.add(match[1] ?? '');
  for (const match of source.matchAll(/^\s*export\s*\{([^}]*)\}/gm)) {
    for (const part of (match[1] ?? '').split(',')) names.add(part.trim().split(/\s+as\s+/).pop()?.trim() ?? '');
  }
  return HANDLER_METHODS.filter((method) => names.has(method));
}

/**
 * The Allow list Next itself answers OPTIONS with (auto-implement-methods.js): the exported
 * methods, OPTIONS, and HEAD when GET is there (Next serves HEAD with the GET handler).
 */
export function allowOf(exported: readonly string[]): string[] {
  const allow = new Set([...exported, 'OPTIONS']);
  if (allow.has('GET')) allow.add('HEAD');
  return [...allow].sort();
}

function segmentOf(folder: string): Segment | undefined {
  if (/^\(.*\)$/.test(folder)) return undefined; // a route group: not part of the URL
  if (folder.startsWith('[[...')) return { kind: 'optional-catch-all' };
  if (folder.startsWith('[...')) return { kind: 'catch-all' };
  if (folder.startsWith('[')) return { kind: 'dynamic' };
  return { kind: 'static', name: folder };
}

/**
 * Every route handler under `<appDir>/api`, read from the route modules themselves, so the list
 * cannot drift from what Next serves (tests/integration/api-methods.test.ts compares each route
 * with Next's own OPTIONS answer). Private folders (`_x`) are not routes.
 */
export function readApiRoutes(appDir: string): ApiRoute[] {
  const apiDir = path.join(appDir, 'api');
  const routes: ApiRoute[] = [];
  for (const file of readdirSync(apiDir, { recursive: true, encoding: 'utf8' })) {
    if (!/^route\.(?:ts|tsx|js|mjs)$/.test(path.basename(file))) continue;
    const folders = ['api', ...path.dirname(file).split(path.sep).filter((folder) => folder !== '.')];
    if (folders.some((folder) => folder.startsWith('_'))) continue;
    const exported = exportedMethods(readFileSync(path.join(apiDir, file), 'utf8'));
    if (exported.length === 0) continue; // Next answers such a module 404 itself
    const segments = folders.map(segmentOf).filter((segment) => segment !== undefined);
    routes.push({ pattern: `/${folders.filter((folder) => !/^\(.*\)$/.test(folder)).join('/')}`, segments, allow: allowOf(exported) });
  }
  return routes;
}

const RANK: Record<Segment['kind'], number> = { static: 0, dynamic: 1, 'catch-all': 2, 'optional-catch-all': 3 };

function matches(segments: readonly Segment[], parts: readonly string[]): boolean {
  const [segment, ...rest] = segments;
  if (!segment) return parts.length === 0;
  if (segment.kind === 'optional-catch-all') return rest.length === 0;
  if (segment.kind === 'catch-all') return rest.length === 0 && parts.length > 0;
  const [part, ...others] = parts;
  if (part === undefined || part === '') return false;
  if (segment.kind === 'static' && segment.name !== part) return false;
  return matches(rest, others);
}

/** Static segments before dynamic ones before catch-alls, the first difference deciding, as Next's router orders them. */
function moreSpecific(a: ApiRoute, b: ApiRoute): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const difference = RANK[a.segments[i]?.kind ?? 'static'] - RANK[b.segments[i]?.kind ?? 'static'];
    if (difference !== 0) return difference;
  }
  return b.segments.length - a.segments.length;
}

/** The route Next would serve a path with, if any (the path's escapes already known to decode: request-path.ts). */
export function matchApiRoute(routes: readonly ApiRoute[], pathname: string): ApiRoute | undefined {
  const parts = pathname.split('/').slice(1).map((part) => decodeURIComponent(part));
  return routes.filter((route) => matches(route.segments, parts)).sort(moreSpecific)[0];
}

/**
 * Answers a method the matched route does not export with 405, `Allow` and the API's error shape,
 * and returns true. Next answers it 405 with an empty body and no Allow. Nothing is disclosed that
 * an unauthenticated caller could not learn before: Next's 405 already told the route exists, and
 * its OPTIONS answer (unauthenticated too) lists the same methods; an unknown path stays Next's 404.
 */
export function refuseUnsupportedMethod(request: IncomingMessage, response: ServerResponse, routes: () => readonly ApiRoute[]): boolean {
  // Where Next routes it: `/./api/…` and `/x/%2e%2e/api/…` reach the same routes.
  const pathname = routedPath(request.url ?? '/');
  if (!pathname.startsWith('/api/')) return false;
  const method = request.method ?? 'GET';
  const route = matchApiRoute(routes(), pathname);
  if (!route || route.allow.includes(method)) return false;
  const allow = route.allow.join(', ');
  response.statusCode = 405;
  response.setHeader('allow', allow);
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-type', 'application/json');
  // Node sends no body for HEAD by itself.
  response.end(JSON.stringify(errorBody('method_not_allowed', `${method} is not supported here; use ${allow}`)));
  return true;
}

/**
 * The routes `refuseUnsupportedMethod` asks for: read once for a build (it serves what it was built
 * from), or on every API request under `--dev`, where Next picks up a route edited while it runs.
 * A reading that fails there (a route folder renamed as the request came) keeps the last one: the
 * dev server must not fall over for it.
 */
export function apiRoutesOf(appDir: string, live: boolean): () => readonly ApiRoute[] {
  let routes = readApiRoutes(appDir);
  if (!live) return () => routes;
  return () => {
    try {
      routes = readApiRoutes(appDir);
    } catch {
      // The last reading stands until the tree reads again.
    }
    return routes;
  };
}
