import { z } from 'zod';
import { printable } from '@/lib/model/printable';
import { EXIT } from './exit';

/** No request waits longer than this for its answer (a hung server or proxy must not stall a deploy). */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface HttpIo {
  fetch: typeof fetch;
  /** `AbortSignal.timeout` in production; tests pass one that runs on their virtual clock. */
  abortAfter: (ms: number) => AbortSignal;
}

/** An answer with its body read (undefined when not JSON), or why none came. */
export type Answer = { ok: true; status: number; headers: Headers; body: unknown } | { ok: false; reason: string };

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

function failure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${Math.ceil(timeoutMs / 1_000)} s`;
  if (!(error instanceof Error)) return String(error);
  // undici says only "fetch failed"; the cause says what happened (ECONNRESET, ECONNREFUSED…).
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** One request, bounded by `timeoutMs` including its body; never throws. */
export async function request(io: HttpIo, url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  try {
    const response = await io.fetch(url, { ...init, signal: io.abortAfter(timeoutMs) });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { ok: true, status: response.status, headers: response.headers, body };
  } catch (error) {
    return { ok: false, reason: failure(error, timeoutMs) };
  }
}

/** The server's own words in an error body (one printable line), if it sent one. */
export function serverWords(body: unknown): string | undefined {
  const error = ErrorBodySchema.safeParse(body);
  // The server quotes names and ids that anyone with etcd access wrote: one line, no escape sequences.
  return error.success ? printable(`${error.data.error.message}${error.data.error.field ? ` (${error.data.error.field})` : ''}`) : undefined;
}

/** What a failed answer says: the server's words, or its status when a proxy answered. */
export const errorMessage = (status: number, body: unknown): string => serverWords(body) ?? `HTTP ${status}`;

export const isAuthFailure = (status: number): boolean => status === 401 || status === 403;
/** Worth asking again: the server or a proxy in front of it is busy, restarting or failing over. */
export const isTransient = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The exit code for a failed answer to a drain or undrain. */
export function exitFor(status: number): number {
  if (isAuthFailure(status)) return EXIT.auth;
  if (status === 422) return EXIT.usage;
  return isTransient(status) ? EXIT.error : EXIT.refused;
}

export const AUTH_HINT = 'check the API token: an operator token from the Access page';
