import { printable } from '@/lib/model/printable';

/** A URL as shown on the Alerts page, in history and logs: without its credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** The first bytes of a refused answer say why; more would be a stranger's text in our logs. */
const MAX_ERROR_TEXT = 200;

/** Reads at most `limit` bytes of a body and drops the rest unread. */
async function firstBytes(response: Response, limit: number): Promise<Buffer> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still has its first bytes.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/**
 * One request; resolves with the response on 2xx, throws otherwise (a timeout or refusal included)
 * with a short reason. fetch refuses URLs with credentials, so `user:password@` becomes Basic authorization.
 */
async function send(method: 'GET' | 'POST' | 'DELETE', url: string, body: string | undefined, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  const target = new URL(url);
  const auth: Record<string, string> = {};
  if (target.username !== '' || target.password !== '') {
    auth.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth, ...headers },
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  if (response.ok) return response;
  const text = (await firstBytes(response, MAX_ERROR_TEXT)).toString('utf8');
  throw new Error(`HTTP ${response.status}${text ? `: ${printable(text.trim())}` : ''}`);
}

/** POSTs a JSON body; resolves on 2xx, throws otherwise with a short reason. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const response = await send('POST', url, body, headers, timeoutMs);
  await response.body?.cancel();
}

/** DELETE; resolves on 2xx, throws otherwise with a short reason. */
export async function deleteResource(url: string, timeoutMs: number): Promise<void> {
  const response = await send('DELETE', url, undefined, {}, timeoutMs);
  await response.body?.cancel();
}

/** GETs JSON of at most `maxBytes` (a larger answer is refused, not buffered); unknown until a schema checks it. */
export async function getJson(url: string, timeoutMs: number, maxBytes: number): Promise<unknown> {
  const response = await send('GET', url, undefined, { accept: 'application/json' }, timeoutMs);
  const body = await firstBytes(response, maxBytes + 1);
  if (body.byteLength > maxBytes) throw new Error(`answer larger than ${maxBytes} bytes`);
  return JSON.parse(body.toString('utf8')) as unknown;
}
