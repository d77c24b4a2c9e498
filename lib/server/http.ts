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
