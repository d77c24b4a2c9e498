/** Human-readable probe causes: what an on-call engineer reads in the UI and in history. */

/** "300 ms", "2 s", "2.5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1_000).toFixed(1))} s`;
}

export const timeoutCause = (timeoutMs: number): string => `timeout after ${formatDuration(timeoutMs)}`;

/** Error code of a target refused by the probe policy; its message is the cause as is. */
export const DENIED_CODE = 'EPROBEDENIED';

export function deniedError(reason: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`address denied by probe policy (${reason})`), { code: DENIED_CODE });
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'DNS: host not found',
  EAI_AGAIN: 'DNS: lookup failed (temporary)',
  HPE_HEADER_OVERFLOW: 'invalid HTTP response (headers too large)',
};

const MAX_MESSAGE_CHARS = 200;

/** Cause of a failed connection or exchange, from a Node socket, DNS or HTTP parser error. */
export function networkCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_MESSAGE_CHARS);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === DENIED_CODE) return error.message;
  // Node reports a peer that closed before answering as ECONNRESET "socket hang up"; it was no RST.
  if (error.message === 'socket hang up') return 'connection closed without a response';
  const known = NETWORK_CAUSES[code];
  if (known) return known;
  if (code.startsWith('HPE_')) return 'invalid HTTP response';
  return cleanText(error.message).slice(0, MAX_MESSAGE_CHARS) || 'probe failed';
}

// C0/C1 controls and the bidi overrides that could make a detail read differently from what it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Text safe to show in one line: control characters become spaces, runs of spaces collapse. */
export function cleanText(text: string): string {
  return text.replace(UNPRINTABLE, ' ').replace(/ {2,}/g, ' ').trim();
}

export const DETAIL_BYTES = 256;

/** The first ≤ 256 bytes of a failing response body as one line of text (undefined when empty). */
export function bodyDetail(body: Buffer): string | undefined {
  const text = cleanText(body.subarray(0, DETAIL_BYTES).toString('utf8'));
  return text.length > 0 ? text : undefined;
}
