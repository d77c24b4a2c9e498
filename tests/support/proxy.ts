import net from 'node:net';
import { freePort } from '@/lib/server/etcd/local';

export interface CuttableProxy {
  endpoint: string;
  /** Drops every connection and refuses new ones: the network between dashboard and etcd is gone. */
  cut(): void;
  /** Accepts connections again, forwarding to `target` (defaults to the current one). */
  restore(target?: string): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of etcd, so a test can partition the dashboard from a live etcd. */
export async function startProxy(target: string): Promise<CuttableProxy> {
  let upstream = new URL(target);
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const remote = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(remote);
    const drop = (): void => {
      client.destroy();
      remote.destroy();
      sockets.delete(client);
      sockets.delete(remote);
    };
    client.on('error', drop).on('close', drop);
    remote.on('error', drop).on('close', drop);
    client.pipe(remote).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore(next) {
      if (next) upstream = new URL(next);
      open = true;
    },
    close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
