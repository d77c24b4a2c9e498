import { z } from 'zod';

const ErrorBodySchema = z.object({ error: z.object({ message: z.string() }) });

export type AccessResult = { ok: true; body: unknown } | { ok: false; message: string };

/** A JSON call to the users/tokens/password API; a refusal comes back as the server's words. */
export async function accessCall(method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<AccessResult> {
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed: unknown = await response.json().catch(() => null);
    if (response.ok) return { ok: true, body: parsed };
    const error = ErrorBodySchema.safeParse(parsed);
    return { ok: false, message: error.success ? error.data.error.message : `HTTP ${response.status}` };
  } catch {
    return { ok: false, message: 'Switchyard did not answer; check your connection and try again' };
  }
}
