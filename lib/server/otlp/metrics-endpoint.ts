import type { IncomingMessage, ServerResponse } from 'node:http';
import { attributeText, ExportMetricsRequestSchema, type ExportMetricsRequest } from '@/lib/model/otlp/schema';
import { secureCookies } from '../auth/cookies';
import { authenticate } from '../auth/guard';
import { discardRest } from '../discard-body';
import { errorBody, firstIssue } from '../http';
import type { Runtime } from '../runtime';
import { readBody } from './body';
import { decodeMetricsRequest, encodeMetricsResponse, metricsResponseJson, type PartialSuccess } from './proto';

export const OTLP_METRICS_PATH = '/v1/metrics';
/** The Collector's OTLP receiver default is 20 MiB; a service's export every few seconds is far below 4 MiB, compressed or not. */
export const MAX_OTLP_BYTES = 4 * 1024 * 1024;
/** Seconds a refused exporter waits before retrying (the OTLP exporters honour `Retry-After`). */
export const RETRY_AFTER_SECONDS = 2;
/** An export is one request of a few KB to MB; a body slower than this holds a place for nothing. */
export const BODY_TIMEOUT_MS = 15_000;

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function replyError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers }).end(JSON.stringify(errorBody(code, message)));
}

/**
 * `POST /v1/metrics`, OTLP/HTTP, served by node:http ahead of Next like ingest. Protobuf or JSON,
 * optionally gzip; an API token of any role; a scoped token only for its own `service.name`.
 * Errors are the contract's JSON error body (the exporters log status and body).
 */
export function handleOtlpMetrics(request: IncomingMessage, response: ServerResponse, runtime: Pick<Runtime, 'auth' | 'config' | 'otlp' | 'metrics'>): void {
  if (request.method !== 'POST') {
    request.resume();
    return replyError(response, 405, 'method_not_allowed', 'use POST', { allow: 'POST' });
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== PROTOBUF && type !== JSON_TYPE) {
    request.resume();
    return replyError(response, 415, 'unsupported_media_type', `Content-Type must be ${PROTOBUF} or ${JSON_TYPE}`);
  }
  if (!request.headers.authorization) {
    request.resume();
    return replyError(response, 401, 'unauthenticated', 'send an API token as "Authorization: Bearer <token>" (OTEL_EXPORTER_OTLP_HEADERS)');
  }
  if (!runtime.otlp.inFlight.tryAcquire()) {
    request.resume();
    return replyError(response, 429, 'overloaded', `too many OTLP requests in progress; retry after ${RETRY_AFTER_SECONDS} s`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    runtime.otlp.inFlight.release();
  };
  response.once('close', release);
  response.once('finish', release);
  receive(request, response, runtime, type).catch((error: unknown) => {
    console.error(error);
    if (!response.headersSent) replyError(response, 500, 'internal', 'internal error');
  });
}

async function receive(request: IncomingMessage, response: ServerResponse, runtime: Pick<Runtime, 'auth' | 'config' | 'otlp' | 'metrics'>, type: string): Promise<void> {
  const principal = await authenticate(runtime.auth, request.headers, secureCookies(runtime.config));
  if (!principal) {
    request.resume();
    return replyError(response, 401, 'unauthenticated', 'unknown, expired or revoked API token');
  }
  const read = await readBody(request, MAX_OTLP_BYTES, BODY_TIMEOUT_MS);
  if (!read.ok) {
    const codes = { 400: 'invalid_body', 408: 'timeout', 413: 'too_large', 415: 'unsupported_media_type' } as const;
    replyError(response, read.status, codes[read.status], read.message);
    if (read.status === 413 || read.status === 408) discardRest(request);
    return;
  }
  const decoded = decode(read.body, type);
  if (!decoded.ok) return replyError(response, 400, 'invalid_body', decoded.message);
  const outOfScope = principal.scope === undefined ? undefined : decoded.request.resourceMetrics.find((r) => attributeText(r.resource.attributes, 'service.name') !== principal.scope);
  if (outOfScope) return replyError(response, 403, 'out_of_scope', `this token may only report for service ${principal.scope} (resource service.name)`);

  const outcome = runtime.otlp.metrics.accept(decoded.request);
  runtime.metrics.counters.otlpPoints(outcome);
  const partial: PartialSuccess | undefined = outcome.rejected > 0 ? { rejectedDataPoints: outcome.rejected, errorMessage: outcome.reason ?? 'refused' } : undefined;
  if (type === PROTOBUF) {
    response.writeHead(200, { 'content-type': PROTOBUF, 'cache-control': 'no-store' }).end(encodeMetricsResponse(partial));
  } else {
    response.writeHead(200, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }).end(metricsResponseJson(partial));
  }
}

function decode(body: Buffer, type: string): { ok: true; request: ExportMetricsRequest } | { ok: false; message: string } {
  let raw: unknown;
  if (type === PROTOBUF) {
    try {
      raw = decodeMetricsRequest(body);
    } catch (error) {
      return { ok: false, message: `body is not a protobuf ExportMetricsServiceRequest: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      return { ok: false, message: 'body is not valid JSON' };
    }
  }
  const parsed = ExportMetricsRequestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `not an OTLP ExportMetricsServiceRequest: ${firstIssue(parsed.error).message}` };
  return { ok: true, request: parsed.data };
}
