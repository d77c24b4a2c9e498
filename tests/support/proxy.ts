import net from 'node:net';
import { freePort } from '@/lib/server/etcd/local';

export interface CuttableProxy {
  endpoint: string;
  /** Drops every connection and refuses new ones: the network between dashboard and etcd is gone. */
  cut(): void;
  /**
   * A black hole: connections stay open and new ones are accepted, but nothing is forwarded and
   * nobody is told (no reset, no close), as when a network drops packets. `restore` ends it.
   */
  stall(): void;
  /**
   * Accepts connections again, forwarding to `target` (defaults to the current one). What stalled is
   * dropped, so its peers see the end and reconnect; with `keepStalled` it stays a black hole instead,
   * as after a failover: the old host is gone without a word, only new connections reach the new one.
   */
  restore(target?: string, options?: { keepStalled?: boolean }): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of etcd, so a test can partition the dashboard from a live etcd. */
export async function startProxy(target: string): Promise<CuttableProxy> {
  let upstream = new URL(target);
  let open = true;
  let stalled = false;
  const sockets = new Set<net.Socket>();
  /** Connections accepted while stalled: held open, never forwarded. */
  const held = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    if (stalled) {
      held.add(client);
      client.on('error', () => client.destroy()).on('close', () => held.delete(client));
      client.pause();
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
    stall() {
      stalled = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    restore(next, options) {
      if (next) upstream = new URL(next);
      open = true;
      if (stalled) {
        stalled = false;
        if (options?.keepStalled) {
          for (const socket of sockets) held.add(socket);
        } else {
          for (const socket of [...sockets, ...held]) socket.destroy();
          held.clear();
        }
        sockets.clear();
      }
    },
    close() {
      open = false;
      for (const socket of [...sockets, ...held]) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
