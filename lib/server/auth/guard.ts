import { administers, type Principal } from '@/lib/model/auth';
import { roleAtLeast, type Role } from '@/lib/model/roles';
import { jsonError, withRuntime } from '../http';
import type { Runtime } from '../runtime';
import { headerOf, secureCookies, sessionSecretOf, type HeaderSource } from './cookies';
import { isCrossSite, isSameOrigin, type OriginHeaders } from './origin';
import type { Auth } from './service';

export function originHeaders(headers: HeaderSource): OriginHeaders {
  return { origin: headerOf(headers, 'origin'), secFetchSite: headerOf(headers, 'sec-fetch-site'), host: headerOf(headers, 'host') };
}

/** The client address server.ts recorded (it overwrites any value a client sent). */
export function clientAddress(request: Request): string {
  return request.headers.get('x-switchyard-client') ?? 'unknown';
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
const bearerToken = (authorization: string): string | undefined => /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];

/**
 * Why a request's Authorization named no one, where the header itself says: "Bearer%20<token>" is
 * the URL-encoded form OTEL_EXPORTER_OTLP_HEADERS and its signal-specific forms (_TRACES_,
 * _METRICS_) take, pasted into a setting sent as written (go-zero's OtlpHeaders, a Collector's
 * headers). Nothing of the header is echoed: it holds a secret.
 */
export function refusedAuthorization(authorization: string | undefined, otherwise: string): string {
  return authorization?.includes('%20') === true
    ? 'the Authorization header holds "%20" where "Bearer <token>" has a space: only OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_{TRACES,METRICS}_HEADERS are URL-decoded, a header set anywhere else is sent as written, so write the space there'
    : otherwise;
}

/** `Authorization: Bearer <token>` first (pipelines, the CLI, reporters), else the session cookie. */
export async function authenticate(auth: Auth, headers: HeaderSource, secure: boolean): Promise<Principal | null> {
  const authorization = headerOf(headers, 'authorization');
  if (authorization) {
    const token = bearerToken(authorization);
    return token ? auth.authenticateToken(token) : null;
  }
  const secret = sessionSecretOf(headers, secure);
  return secret ? auth.authenticateSession(secret) : null;
}

/**
 * A program's `Authorization: Bearer <token>` (ingest, OTLP): the principal at once when the token
 * cache answers alone, else the store's answer as a promise. A fleet posts every few seconds with
 * one token; its requests need not each wait a promise for a cached answer.
 */
export function authenticateProgram(auth: Auth, authorization: string): Principal | null | Promise<Principal | null> {
  const token = bearerToken(authorization);
  if (!token) return null;
  const cached = auth.cachedToken(token);
  return cached === undefined ? auth.authenticateToken(token) : cached;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type Access = { ok: true; principal: Principal } | { ok: false; response: Response };

/**
 * The check every route handler makes itself (never only a proxy in front: CVE-2025-29927):
 * who is this, may they, and — for a cookie-carried change — did our own page send it.
 */
export async function authorize(runtime: Pick<Runtime, 'auth' | 'config'>, request: Request, need: Role): Promise<Access> {
  const principal = await authenticate(runtime.auth, request.headers, secureCookies(runtime.config));
  if (!principal) {
    const response = jsonError(401, 'unauthenticated', refusedAuthorization(request.headers.get('authorization') ?? undefined, 'sign in first, or send an API token as "Authorization: Bearer <token>"'));
    response.headers.set('www-authenticate', 'Bearer realm="switchyard"');
    return { ok: false, response };
  }
  // Bearer tokens are not sent by browsers on their own, so only cookies need the same-origin proof.
  if (principal.kind === 'session' && !SAFE_METHODS.has(request.method) && !isSameOrigin(originHeaders(request.headers), runtime.config.SWITCHYARD_PUBLIC_URL)) {
    return { ok: false, response: jsonError(403, 'cross_origin', 'changes must come from Switchyard’s own pages (Origin or Sec-Fetch-Site did not match)') };
  }
  if (!roleAtLeast(principal.role, need)) {
    return { ok: false, response: jsonError(403, 'forbidden', `needs role ${need}; ${principal.kind === 'token' ? 'this token has' : 'you have'} ${principal.role}`) };
  }
  if (need === 'admin' && !administers(principal)) {
    return { ok: false, response: jsonError(403, 'out_of_scope', `this token may only change service ${principal.scope}; users and tokens are managed by an admin without a service scope`) };
  }
  return { ok: true, principal };
}

/** A route handler body that runs only for a principal with at least `need`. */
export function guarded(request: Request, need: Role, run: (principal: Principal, runtime: Runtime) => Response | Promise<Response>): Promise<Response> {
  return withRuntime(async (runtime) => {
    const access = await authorize(runtime, request, need);
    return access.ok ? run(access.principal, runtime) : access.response;
  });
}

/** A token scoped to one service may change only that service. */
export function outOfScope(principal: Principal, service: string): Response | undefined {
  if (principal.scope === undefined || principal.scope === service) return undefined;
  return jsonError(403, 'out_of_scope', `this token may only change service ${principal.scope}`);
}

/** Login and similar unauthenticated writes: refuse only what a browser says came from elsewhere. */
export function crossSiteRefusal(request: Request, publicOrigin: string | undefined): Response | undefined {
  return isCrossSite(originHeaders(request.headers), publicOrigin) ? jsonError(403, 'cross_origin', 'cross-site request refused') : undefined;
}
