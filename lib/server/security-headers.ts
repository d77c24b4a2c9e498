import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHECKED_HEADER } from './auth/checked-visitors';

/**
 * A nonce-based policy: no inline script runs unless Next (or our theme script) put the nonce on it.
 * Styles stay 'unsafe-inline': React and the charts write style attributes, which cannot carry a nonce.
 * Dev mode adds 'unsafe-eval' for React's refresh runtime.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}'${dev ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `worker-src 'self' blob:`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/**
 * Runs on every request before Next sees it:
 * - drops `x-middleware-subrequest`, the header that let requests skip Next middleware (CVE-2025-29927);
 *   we never rely on middleware for access, but nothing should get to use that trick; and any
 *   `x-switchyard-checked` a client sent (only page-outage.ts names a visitor it checked);
 * - records the client address and URL for route handlers and pages (Next does not expose them);
 * - hands Next the CSP (it reads the nonce from the request's policy and puts it on its own scripts)
 *   and sets the security headers on the response (HSTS comes from lib/server/listener.ts, under HTTPS only).
 */
export function prepareRequest(request: IncomingMessage, response: ServerResponse, options: { dev: boolean }): void {
  delete request.headers['x-middleware-subrequest'];
  Reflect.deleteProperty(request.headers, CHECKED_HEADER);
  request.headers['x-switchyard-client'] = request.socket.remoteAddress ?? 'unknown';
  request.headers['x-switchyard-url'] = request.url ?? '/';
  const nonce = randomBytes(16).toString('base64');
  const policy = contentSecurityPolicy(nonce, options.dev);
  request.headers['x-nonce'] = nonce;
  request.headers['content-security-policy'] = policy;
  response.setHeader('content-security-policy', policy);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('referrer-policy', 'same-origin');
  response.setHeader('cross-origin-opener-policy', 'same-origin');
  response.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

/** The policy for what is not a page (health, ingest, OTLP answers): nothing may load or frame it. */
export const MACHINE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The headers of the endpoints served ahead of Next (health, ingest, OTLP): they answer JSON or
 * protobuf to programs, so a fixed deny-all policy does what a page's nonce does, without the
 * per-request random bytes that a busy OTLP fleet would otherwise pay on every export.
 */
export function prepareMachineResponse(response: ServerResponse): void {
  response.setHeader('content-security-policy', MACHINE_CONTENT_SECURITY_POLICY);
  response.setHeader('x-content-type-options', 'nosniff');
}
