import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseIngestBatch } from '@/lib/model/ingest';
import { errorBody, firstIssue } from './http';
import type { Runtime } from './runtime';
import { receiveProgramBody, sendReply } from './machine-reply';

export const INGEST_PATH = '/api/v1/ingest/calls';
/** 1,000 calls with 64 buckets each fit comfortably; anything larger is not a call report. */
export const MAX_INGEST_BYTES = 1024 * 1024;

function reply(response: ServerResponse, status: number, body: unknown): void {
  sendReply(response, status, 'application/json', JSON.stringify(body));
}

/**
 * `POST /api/v1/ingest/calls`, served by node:http ahead of Next: every instance of the fleet
 * calls it every few seconds, and Next's request path cost ten times the ingest work itself
 * (docs/BENCHMARKS.md). Same contract and error shapes as the route handlers.
 */
export function handleIngest(request: IncomingMessage, response: ServerResponse, runtime: Runtime): void {
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    return reply(response, 405, errorBody('method_not_allowed', 'use POST'));
  }
  // Reporters are services, not people: an API token (any role), never a session cookie.
  if (!request.headers.authorization) {
    request.resume();
    return reply(response, 401, errorBody('unauthenticated', 'send an API token as "Authorization: Bearer <token>"'));
  }
  // Nothing thrown may escape into the server: the request is answered and the process serves on.
  receiveProgramBody(runtime.auth, runtime.bodies, request, response, MAX_INGEST_BYTES, (principal, body) => accept(body, response, runtime, principal.scope), 'the batch could not be recorded');
}

function accept(body: Buffer, response: ServerResponse, runtime: Runtime, scope: string | undefined): void {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return reply(response, 400, errorBody('invalid_json', 'body is not valid JSON'));
  }
  const parsed = parseIngestBatch(json);
  if (!parsed.success) {
    const { message, field } = firstIssue(parsed.error);
    return reply(response, 422, errorBody('invalid', message, field));
  }
  if (scope !== undefined && parsed.data.reporter.service !== scope) {
    return reply(response, 403, errorBody('out_of_scope', `this token may only report for service ${scope}`, 'reporter.service'));
  }
  // A callee that reports its own server-side metrics over OTLP already counts these calls (unless it is lost).
  const outcome = runtime.latency.ingest(parsed.data, runtime.otlp.metrics.calleeSeries());
  if (!outcome.ok) return reply(response, 422, errorBody('clock_skew', outcome.message, outcome.field));
  runtime.metrics.counters.ingested(outcome.calls, outcome.reanchored);
  reply(response, 202, { accepted: outcome.calls, ...(outcome.reanchored ? { clock: 'reanchored to server time' } : {}) });
}
