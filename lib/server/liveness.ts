import type { IncomingMessage, ServerResponse } from 'node:http';

export const LIVENESS_PATH = '/healthz';

const BODY = JSON.stringify({ status: 'ok' });

/**
 * Liveness (`GET /healthz`: the process answers), served by node:http ahead of Next like ingest:
 * through Next's handler each probe cost ~1 ms of CPU in web streams and a dozen turns of the event
 * loop, a seventh of the server's work during the issue-13 ingest flood, and an orchestrator's probe
 * should not depend on the renderer anyway.
 */
export function handleLiveness(request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : BODY);
}
