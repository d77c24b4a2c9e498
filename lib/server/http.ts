import type { ZodError } from 'zod';
import { DATABASE_UNAVAILABLE } from './database-outage';
import { isDatabaseUnreachable } from './history/unreachable';
import { getRuntime, type Runtime } from './runtime';

/** The contract's error body: `{"error":{"code","message","field"?}}`. */
export function errorBody(code: string, message: string, field?: string): { error: { code: string; message: string; field?: string } } {
  return { error: { code, message, ...(field ? { field } : {}) } };
}

export function jsonError(status: number, code: string, message: string, field?: string): Response {
  return Response.json(errorBody(code, message, field), { status, headers: noStore });
}

export const noStore = { 'cache-control': 'no-store' };

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: noStore });
}

/** 503 with `Retry-After`: the request needs the database, which is unreachable (a restart, a failover). */
export function databaseUnavailable(): Response {
  const response = jsonError(DATABASE_UNAVAILABLE.status, DATABASE_UNAVAILABLE.code, DATABASE_UNAVAILABLE.message);
  response.headers.set('retry-after', String(DATABASE_UNAVAILABLE.retryAfterSeconds));
  return response;
}

/**
 * Runs a handler, turning "runtime not running" and an unreachable database into contract-shaped
 * 503s (a caller retries), and unexpected failures into a logged 500 (a bug).
 */
export async function handle(run: () => Response | Promise<Response>, onUnreachable?: (error: unknown) => void): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/runtime is not running/.test(message)) return jsonError(503, 'not_running', message);
    if (isDatabaseUnreachable(error)) {
      onUnreachable?.(error);
      return databaseUnavailable();
    }
    console.error(error);
    return jsonError(500, 'internal', 'internal error');
  }
}

/**
 * A handler body given the running services, for routes open to anyone (readiness, sign-in);
 * `guarded` uses it too, so route handlers never reach for the runtime themselves.
 */
export function withRuntime(run: (runtime: Runtime) => Response | Promise<Response>): Promise<Response> {
  let runtime: Runtime | undefined;
  // The outage is logged once by the runtime's tracker, not per request here.
  return handle(
    () => run((runtime = getRuntime())),
    (error) => runtime?.database.unreachable(error),
  );
}

/** The first failing field of a validation, named by its path (e.g. `calls.0.latencyMs.counts`). */
export function firstIssue(error: ZodError): { message: string; field: string | undefined } {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  return { message: issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid request', field };
}

/** The contract's 422 naming the field. */
export function validationError(error: ZodError): Response {
  const { message, field } = firstIssue(error);
  return jsonError(422, 'invalid', message, field);
}

/** Reads a JSON body of at most `maxBytes`, streaming, so a huge body is refused without buffering it. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const tooLarge = (): { ok: false; response: Response } => ({ ok: false, response: jsonError(413, 'too_large', `body over ${maxBytes} bytes`) });
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) return tooLarge();
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, response: jsonError(400, 'invalid_json', 'body is not valid JSON') };
  }
}
