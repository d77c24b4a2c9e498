import type { EventPage } from '@/lib/model/events';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The message of an API error body (`{"error":{"message"}}`), else the HTTP status. */
export function failureMessage(status: number, statusText: string, text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body) && isObject(body.error) && typeof body.error.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
}

/** GETs JSON from our API; throws an Error whose message says what went wrong. */
export async function fetchJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  const text = await response.text();
  if (!response.ok) throw new Error(failureMessage(response.status, response.statusText, text));
  return JSON.parse(text) as unknown;
}

export function parseEventPage(body: unknown): EventPage {
  if (!isObject(body) || !Array.isArray(body.events) || !(body.nextCursor === null || typeof body.nextCursor === 'string')) throw new Error('unexpected response');
  return body as unknown as EventPage;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
