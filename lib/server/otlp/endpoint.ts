import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Principal } from '@/lib/model/auth';
import { printable } from '@/lib/model/printable';
import { BODY_RETRY_AFTER_SECONDS } from '../body-reception';
import { firstIssue } from '../http';
import type { Runtime } from '../runtime';
import type { IntakeOutcome } from './metrics-intake';
import { boundJsonContainers } from './message-count';
import { OtlpBoundError } from './proto-messages';
import { guardedStep, receiveProgramBody, sendError, sendReply } from '../machine-reply';
import { whenResponseEnds } from '../response-end';

/** The Collector's OTLP receiver default is 20 MiB; a service's export every few seconds is far below 4 MiB, compressed or not. */
export const MAX_OTLP_BYTES = 4 * 1024 * 1024;
/** Seconds a refused exporter waits before retrying (the OTLP exporters honour `Retry-After`). */
export const RETRY_AFTER_SECONDS = BODY_RETRY_AFTER_SECONDS;

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

export type OtlpRuntime = Pick<Runtime, 'auth' | 'bodies' | 'otlp' | 'metrics'>;

/** What differs between `/v1/metrics` and `/v1/traces`: the message, how it is decoded and what takes it. */
export interface OtlpSignal<Request> {
  /** The protobuf message's name, for error messages. */
  message: string;
  /** Decodes and bounds a protobuf body (the vendored .proto types it); throws with the reason. */
  decodeProtobuf(body: Uint8Array): Request;
  /** OTLP JSON's schema, with the same bounds. */
  schema: z.ZodType<Request>;
  /** Every resource's `service.name`, for a scoped token's check. */
  services(request: Request): Iterable<string | undefined>;
  accept(runtime: OtlpRuntime, request: Request): IntakeOutcome;
  /** The reply, with `partial_success` when something was refused. */
  encodeResponse(partial: { rejected: number; message: string } | undefined): Uint8Array;
  responseJson(partial: { rejected: number; message: string } | undefined): string;
}

/**
 * An OTLP/HTTP endpoint served by node:http ahead of Next like ingest. Protobuf or JSON, optionally
 * gzip; an API token of any role; a scoped token only for its own `service.name`. Errors are the
 * contract's JSON error body (the exporters log status and body).
 */
export function otlpHandler<Request>(signal: OtlpSignal<Request>) {
  return (request: IncomingMessage, response: ServerResponse, runtime: OtlpRuntime): void => {
    if (request.method !== 'POST') {
      request.resume();
      return sendError(response, 405, 'method_not_allowed', 'use POST', { allow: 'POST' });
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== PROTOBUF && type !== JSON_TYPE) {
      request.resume();
      return sendError(response, 415, 'unsupported_media_type', `Content-Type must be ${PROTOBUF} or ${JSON_TYPE}`);
    }
    if (!request.headers.authorization) {
      request.resume();
      return sendError(response, 401, 'unauthenticated', 'send an API token as "Authorization: Bearer <token>" (OTEL_EXPORTER_OTLP_HEADERS)');
    }
    // Token and body first (the body's place bounds bodies in memory, overall and per token), then a
    // processing place: a slow sender holds no place of the intake's. Callbacks, not awaits (`receiveProgramBody`).
    receiveProgramBody(runtime.auth, runtime.bodies, request, response, MAX_OTLP_BYTES, (principal, body) => processBody(signal, body, request, response, runtime, type, principal));
  };
}

/** A received body takes one of the intake's places, or waits for one; then its turn. */
function processBody<Request>(signal: OtlpSignal<Request>, body: Buffer, request: IncomingMessage, response: ServerResponse, runtime: OtlpRuntime, type: string, principal: Principal): void {
  const leave = runtime.otlp.inFlight.enter(() => runtime.otlp.inFlight.turn(() => guardedStep(response, () => answer(signal, body, response, runtime, type, principal))));
  if (!leave) {
    return sendError(response, 429, 'overloaded', `too many OTLP requests in progress; retry after ${RETRY_AFTER_SECONDS} s`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  // A reply sent, or a client gone (waiting for a place, or with one; or its connection, which a
  // reply pipelined behind another is not told of): either frees what it held.
  whenResponseEnds(request, response, leave);
}

/** The request's synchronous work: decode, scope, record, reply. */
function answer<Request>(signal: OtlpSignal<Request>, body: Buffer, response: ServerResponse, runtime: OtlpRuntime, type: string, principal: Principal): void {
  const decoded = decode(signal, body, type);
  if (!decoded.ok) return sendError(response, 400, 'invalid_body', decoded.message);
  if (principal.scope !== undefined) {
    for (const service of signal.services(decoded.request)) {
      if (service !== principal.scope) return sendError(response, 403, 'out_of_scope', `this token may only report for service ${principal.scope}; this export's resource ${carriedName(service)}`);
    }
  }
  const outcome = signal.accept(runtime, decoded.request);
  const partial = outcome.rejected > 0 ? { rejected: outcome.rejected, message: outcome.reason ?? 'refused' } : undefined;
  // An empty protobuf response, the usual one, is the head alone.
  sendReply(response, 200, type, type === PROTOBUF ? signal.encodeResponse(partial) : signal.responseJson(partial));
}

/** As long as a fleet name may be (FleetNameSchema), so as long as any scope: more says nothing a sender needs. */
const MAX_CARRIED_NAME_CHARS = 256;

/**
 * The service.name an export carried, for its 403: often an SDK's default (`unknown_service:node`),
 * not a typo. It is the sender's text (up to MAX_STRING_VALUE) echoed into a reply exporters log:
 * cut, and its control and bidi characters escaped (`printable`; JSON escapes only C0).
 */
function carriedName(service: string | undefined): string {
  if (service === undefined) return 'has no service.name';
  if (service.length <= MAX_CARRIED_NAME_CHARS) return `service.name is ${printable(JSON.stringify(service))}`;
  return `service.name is ${printable(JSON.stringify(service.slice(0, MAX_CARRIED_NAME_CHARS)))} (its first ${MAX_CARRIED_NAME_CHARS} of ${service.length} characters)`;
}

function decode<Request>(signal: OtlpSignal<Request>, body: Buffer, type: string): { ok: true; request: Request } | { ok: false; message: string } {
  if (type === PROTOBUF) {
    try {
      return { ok: true, request: signal.decodeProtobuf(body) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, message: error instanceof OtlpBoundError ? `not an OTLP ${signal.message}: ${reason}` : `body is not a protobuf ${signal.message}: ${reason}` };
    }
  }
  let raw: unknown;
  try {
    boundJsonContainers(body);
    raw = JSON.parse(body.toString('utf8'));
  } catch (error) {
    if (error instanceof OtlpBoundError) return { ok: false, message: `not an OTLP ${signal.message}: ${error.message}` };
    return { ok: false, message: 'body is not valid JSON' };
  }
  const parsed = signal.schema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `not an OTLP ${signal.message}: ${firstIssue(parsed.error).message}` };
  return { ok: true, request: parsed.data };
}
