import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthTarget {
  port: number;
  address: string;
  /** What `/healthz` answers from now on. */
  setStatus(status: number): void;
  close(): Promise<void>;
}

/** A loopback service whose `/healthz` answers whatever status it is told, for real probes to hit. */
export async function startHealthTarget(): Promise<HealthTarget> {
  let status = 200;
  const server = http.createServer((request, response) => {
    response.statusCode = request.url === '/healthz' ? status : 404;
    response.end(status === 200 ? 'ok' : 'unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    address: `127.0.0.1:${port}`,
    setStatus: (next) => (status = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
