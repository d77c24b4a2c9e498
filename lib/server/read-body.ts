import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** A request body (an export, a call report: a few KB to MB) slower than this holds a place for nothing. */
export const BODY_TIMEOUT_MS = 15_000;

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; status: 400 | 408 | 413 | 415; message: string };

/** The error code each refusal of `readBody` answers with. */
export const BODY_ERROR_CODES = { 400: 'invalid_body', 408: 'timeout', 413: 'too_large', 415: 'unsupported_media_type' } as const;

/**
 * Reads a request body of at most `maxBytes` on the wire (chunked or not) and, under
 * `Content-Encoding: gzip`, at most `maxBytes` decompressed too: a gzip bomb is refused as it
 * inflates, never buffered whole. A body still incomplete after `timeoutMs` is refused (408), so a
 * slow sender cannot hold a place of the in-flight limit. `resolve` is called once, with a callback
 * rather than a promise: the program endpoints' path waits for no promise it need not.
 */
export function readBody(request: IncomingMessage, maxBytes: number, timeoutMs: number, resolve: (outcome: BodyOutcome) => void): void {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    request.resume();
    return resolve({ ok: false, status: 415, message: `Content-Encoding ${encoding} is not supported (use gzip or none)` });
  }
  const tooLarge: BodyOutcome = { ok: false, status: 413, message: `body over ${maxBytes} bytes` };
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
    request.resume();
    return resolve(tooLarge);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const timer = setTimeout(() => {
    request.pause();
    finish({ ok: false, status: 408, message: `body not received within ${timeoutMs / 1_000} s` });
  }, timeoutMs);
  const finish = (outcome: BodyOutcome): void => {
    clearTimeout(timer);
    if (done) return;
    done = true;
    // The chunks go now (an accepted body was copied out): a refused request lives on while its
    // rest is discarded (up to 5 s), and hundreds of refused 4 MiB uploads held so ran a server past 1 GB.
    chunks.length = 0;
    resolve(outcome);
  };
  request.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > maxBytes) {
      // Stop reading; the caller answers 413 and the connection closes after the reply.
      request.pause();
      return finish(tooLarge);
    }
    chunks.push(chunk);
  });
  request.on('error', () => finish({ ok: false, status: 400, message: 'request body aborted' }));
  request.on('end', () => {
    if (done) return;
    const body = Buffer.concat(chunks);
    if (encoding === 'identity') return finish({ ok: true, body });
    gunzip(body, { maxOutputLength: maxBytes }, (error, inflated) => {
      if (!error) return finish({ ok: true, body: inflated });
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return finish({ ok: false, status: 413, message: `body over ${maxBytes} bytes once decompressed` });
      finish({ ok: false, status: 400, message: `body is not valid gzip: ${error.message}` });
    });
  });
}
