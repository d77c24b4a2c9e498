import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** A request body (an export, a call report: a few KB to MB) slower than this holds a place for nothing. */
export const BODY_TIMEOUT_MS = 15_000;

/**
 * The slowest a body may arrive once its grace has passed: on average since the request began, at
 * least `minBytesPerSecond`, checked every `checkMs` from `graceMs` on. The exporters and reporters
 * write a whole body at once, so it arrives at the link's speed: a 4 MiB export within the 15 s
 * timeout needs 280 KiB/s anyway, and a small one arrives in a round trip or two. 32 KiB/s (256 kbit/s)
 * after 2 s so binds only a body dribbled in: a body of 64 KiB or less still arriving after 2 s is
 * dropped (it held its place 15 s before), and holding a place 15 s costs a sender 480 KiB sent.
 */
export interface BodyPace {
  graceMs: number;
  minBytesPerSecond: number;
  checkMs: number;
}
export const BODY_PACE: BodyPace = { graceMs: 2_000, minBytesPerSecond: 32 * 1024, checkMs: 1_000 };

/** Whether a body of which `received` bytes arrived in `elapsedMs` is too slow (`BodyPace`). */
export function tooSlow(received: number, elapsedMs: number, pace: BodyPace): boolean {
  return elapsedMs >= pace.graceMs && received < (pace.minBytesPerSecond * elapsedMs) / 1_000;
}

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; status: 400 | 408 | 413 | 415; message: string; slow?: true };

/** The error code each refusal of `readBody` answers with. */
export const BODY_ERROR_CODES = { 400: 'invalid_body', 408: 'timeout', 413: 'too_large', 415: 'unsupported_media_type' } as const;

/**
 * Reads a request body of at most `maxBytes` on the wire (chunked or not) and, under
 * `Content-Encoding: gzip`, at most `maxBytes` decompressed too: a gzip bomb is refused as it
 * inflates, never buffered whole. A body still incomplete after `timeoutMs` is refused (408), and
 * so is one arriving slower than `pace` allows (408 with `slow`), sooner: a slow sender holds its
 * body's place (`body-reception.ts`) for seconds, not 15. `resolve` is called once, with a callback
 * rather than a promise: the program endpoints' path waits for no promise it need not.
 */
export function readBody(request: IncomingMessage, maxBytes: number, timeoutMs: number, resolve: (outcome: BodyOutcome) => void, pace: BodyPace = BODY_PACE): void {
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
  // Checked at fixed times from the start, not by a clock: a late timer (a busy loop) only makes the rule laxer.
  let checks = 0;
  const checkPace = (): void => {
    const elapsedMs = pace.graceMs + checks * pace.checkMs;
    checks += 1;
    if (!tooSlow(size, elapsedMs, pace)) {
      paceTimer = setTimeout(checkPace, pace.checkMs);
      return;
    }
    paceTimer = undefined;
    // Bytes that came while the event loop was busy are read in the poll phase before this
    // immediate runs: a stall of the server's is not taken for the sender's slowness.
    recheck = setImmediate(() => {
      recheck = undefined;
      if (done) return;
      if (!tooSlow(size, elapsedMs, pace)) {
        paceTimer = setTimeout(checkPace, pace.checkMs);
        return;
      }
      request.pause();
      finish({ ok: false, status: 408, slow: true, message: `body arrived slower than ${pace.minBytesPerSecond / 1024} KiB/s` });
    });
  };
  let paceTimer: NodeJS.Timeout | undefined = setTimeout(checkPace, pace.graceMs);
  let recheck: NodeJS.Immediate | undefined;
  const stopPace = (): void => {
    clearTimeout(paceTimer);
    clearImmediate(recheck);
    paceTimer = undefined;
    recheck = undefined;
  };
  const finish = (outcome: BodyOutcome): void => {
    clearTimeout(timer);
    stopPace();
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
    stopPace();
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
