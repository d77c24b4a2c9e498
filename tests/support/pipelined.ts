import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** A client connection that pipelined requests to a test server, and can drop them all at once. */
export interface PipelinedConnection {
  /** Destroys the client's end; resolves once the server's end of the connection has closed. */
  drop(): Promise<void>;
}

/**
 * Writes `requests` (raw HTTP/1.1, e.g. `GET /x HTTP/1.1\r\nHost: x\r\n\r\n`) in one go on one
 * connection to `server`; resolves once the server has received each of them. Node answers
 * pipelined requests in order: a response behind one not yet sent waits in Node's queue, and
 * when the connection drops it emits neither 'finish' nor 'close'.
 */
export async function pipelineRequests(server: Server, requests: readonly string[]): Promise<PipelinedConnection> {
  const { port } = server.address() as AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => undefined);
  await once(client, 'connect');
  const serverSide = new Promise<net.Socket>((resolve) => {
    let received = 0;
    const count = (request: IncomingMessage): void => {
      if (request.socket.remotePort !== client.localPort) return;
      received += 1;
      if (received < requests.length) return;
      server.off('request', count);
      resolve(request.socket);
    };
    server.on('request', count);
  });
  client.write(requests.join(''));
  const socket = await serverSide;
  return {
    async drop() {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      client.destroy();
      await closed;
    },
  };
}
