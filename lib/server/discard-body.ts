import type { IncomingMessage } from 'node:http';

/**
 * After answering early (413, 408) the rest of the body is read and dropped for at most this long:
 * closing while the client still sends makes the kernel answer with a reset, which can overtake the
 * reply (a chunked upload has no content-length to refuse up front).
 */
const DISCARD_MS = 5_000;

/** Reads and drops what is left of a request's body, then lets it go; cut off after `DISCARD_MS`. */
export function discardRest(request: IncomingMessage): void {
  const cutOff = setTimeout(() => request.destroy(), DISCARD_MS);
  cutOff.unref();
  request.once('end', () => clearTimeout(cutOff)).once('close', () => clearTimeout(cutOff));
  request.resume();
}
