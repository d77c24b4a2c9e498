import http from 'node:http';

export interface RawAnswer {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends `target` as written, with `body` if given: node:http puts it on the request line untouched,
 * where fetch would resolve its dot segments (`/./api/…`, `/x/../api/…`) before sending.
 */
export function requestRawTarget(baseUrl: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    http
      .request({ host: hostname, port, method, path: target, headers, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      })
      .on('error', reject)
      .end(body);
  });
}
