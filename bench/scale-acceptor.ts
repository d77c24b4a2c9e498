import { createServer, type Server } from 'node:net';

/**
 * Where the large fleet's instances "listen": one TCP port on every loopback address (the fleet's
 * 127.x.y.z addresses all reach a socket bound to 0.0.0.0), accepting and closing each connection, so
 * the server's TCP probes pass. A passing probe publishes nothing; a failed first probe is published
 * at once (lib/server/health.ts), so a fleet on a closed port would stream ~170 status changes a
 * second into every view while the benchmark measures the registry's.
 */
export interface Acceptor {
  port: number;
  close(): Promise<void>;
}

export async function startAcceptor(): Promise<Acceptor> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '0.0.0.0', backlog: 4_096 }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the acceptor has no TCP port');
  return { port: address.port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
