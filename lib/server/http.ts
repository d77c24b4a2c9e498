import type { ZodError } from 'zod';

/** The contract's error body: `{"error":{"code","message","field"?}}`. */
export function jsonError(status: number, code: string, message: string, field?: string): Response {
  return Response.json({ error: { code, message, ...(field ? { field } : {}) } }, { status, headers: noStore });
}

export const noStore = { 'cache-control': 'no-store' };

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: noStore });
}

/** Runs a handler, turning "runtime not running" and unexpected failures into contract-shaped 503/500s. */
export async function handle(run: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/runtime is not running/.test(message)) return jsonError(503, 'not_running', message);
    console.error(error);
    return jsonError(500, 'internal', 'internal error');
  }
}

/** The contract's 422: the first failing field named by its path (e.g. `calls.0.latencyMs.counts`). */
export function validationError(error: ZodError): Response {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  return jsonError(422, 'invalid', issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid request', field);
}

/** Reads a JSON body of at most `maxBytes`, streaming, so a huge body is refused without buffering it. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return { ok: false, response: jsonError(413, 'too_large', `body over ${maxBytes} bytes`) };
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, response: jsonError(413, 'too_large', `body over ${maxBytes} bytes`) };
    }
    chunks.push(value);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, response: jsonError(400, 'invalid_json', 'body is not valid JSON') };
  }
}
