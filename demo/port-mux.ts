import type { Server as HttpServer } from 'node:http';
import net from 'node:net';

/** Every HTTP/2 connection (so every gRPC one) opens with this preface; HTTP/1.1 never starts so. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

export interface MuxedPort {
  port: number;
  /** Stops listening and drops open connections, as a process that exits would. */
  close(): Promise<void>;
}

/**
 * One loopback port speaking HTTP/1.1 and gRPC, as Go services do with cmux: the first bytes of a
 * connection decide whether it goes to the HTTP server or is piped to the local gRPC server.
 */
export async function listenMuxed(options: { port: number; http: HttpServer; grpcPort: number }): Promise<MuxedPort> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  const server = net.createServer((socket) => {
    track(socket).once('data', (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) {
        const upstream = track(net.connect(options.grpcPort, '127.0.0.1'));
        upstream.write(first);
        socket.pipe(upstream).pipe(socket);
        socket.once('close', () => upstream.destroy());
        upstream.once('close', () => socket.destroy());
      } else {
        socket.unshift(first);
        options.http.emit('connection', socket);
      }
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.forEach((socket) => socket.destroy());
      await closed;
    },
  };
}
