// Child process: the probe targets. One HTTP server behind N loopback listeners, so every
// instance has an address of its own (as 5,000 real instances would) without 5,000 servers.
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import type { ChildMessage } from './probing-messages';

const count = Number(process.env.BENCH_TARGETS ?? '0');
const BATCH = 200;

const reply = (message: ChildMessage): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const http = createServer((_request, response) => response.end('ok'));
  // Go's net/http keeps idle connections open unless IdleTimeout is set; model that, not Node's 5 s.
  http.keepAliveTimeout = 0;
  const listeners: Server[] = [];
  const ports: number[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, async () => {
      const listener = createNetServer((socket) => http.emit('connection', socket));
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(0, '127.0.0.1', resolve);
      });
      listeners.push(listener);
      ports.push((listener.address() as AddressInfo).port);
    });
    await Promise.all(batch);
  }
  const stop = (): void => {
    for (const listener of listeners) listener.close();
    http.closeAllConnections();
    process.exit(0);
  };
  process.on('message', stop);
  process.on('disconnect', stop);
  reply({ type: 'targets-ready', ports });
}

main().catch((error: unknown) => {
  reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100).unref();
});
