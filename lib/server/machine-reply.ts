import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * A program endpoint's whole reply (ingest, OTLP) in one write: its length goes in the head. With
 * a head and no length Node sends the body chunked, head, chunk and terminator gathered into a
 * writev, on requests the whole fleet makes every few seconds.
 */
export function sendReply(response: ServerResponse, status: number, type: string, body: Uint8Array | string, headers: OutgoingHttpHeaders = {}): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': length, ...headers });
  if (length === 0) response.end();
  else response.end(body);
}
