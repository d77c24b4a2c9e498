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
async function firstBytes(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
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
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, limit));
}

/**
 * POSTs a JSON body; resolves on 2xx, throws otherwise (a timeout or refusal included) with a short
 * reason. fetch refuses URLs with credentials, so `user:password@` becomes Basic authorization.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  const auth: Record<string, string> = {};
  if (target.username !== '' || target.password !== '') {
    auth.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = await firstBytes(response, MAX_ERROR_TEXT);
  throw new Error(`HTTP ${response.status}${text ? `: ${printable(text.trim())}` : ''}`);
}
