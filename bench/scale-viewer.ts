import { io, type Socket } from 'socket.io-client';
import { VIEWS_HANDSHAKE } from '@/lib/model/live';

/**
 * What the scale benchmark's viewers need from the live protocol, behind one interface so the
 * protocol can change under the benchmark (issue 19 part 1): connect, subscribe to a view, "first
 * view received", "a delta carrying key K received". One implementation per protocol:
 * `scale-viewer-per-view.ts` today (the whole-fleet stream it replaced was measured at git 7123767,
 * docs/BENCHMARKS.md §12).
 */

export type ViewSpec = { view: 'summary' } | { view: 'service'; service: string };

/** Epoch milliseconds (`performance.timeOrigin + performance.now()`): comparable across this machine's processes. */
export type EpochMs = number;

export interface ViewerSession {
  /** Asks for a view; resolves when its first view (snapshot) has arrived, every byte of it, with the receipt time. */
  subscribe(view: ViewSpec): Promise<EpochMs>;
  /**
   * Decodes the summary's first view as received, with the product's receiver, and times it: what a
   * viewer on its own machine adds to the delivery. Undefined when none was received whole.
   */
  decodeSummary(): Promise<{ ms: number; services: number } | undefined>;
  /** Called for every etcd key an upsert in a received delta carries, with the receipt time. */
  onKey(listener: (key: string, at: EpochMs) => void): void;
  /** Resolves once the transport is WebSocket (at once, as sessions open on WebSocket; kept for transports that upgrade). */
  upgraded(timeoutMs: number): Promise<void>;
  /** Why the connection failed or dropped, if it did (connect_error message or disconnect reason). */
  problem(): string | undefined;
  /** Bytes of every message received so far (engine.io packets), and the largest one. */
  traffic(): { bytes: number; largestMessage: number; messages: number };
  close(): void;
}

export interface ViewerProtocol {
  /** How the report names it. */
  name: string;
  /** Starts connecting at once (authenticated as a viewer token); subscribe() may be called right away. */
  connect(url: string, token: string): ViewerSession;
}

export const epochNow = (): EpochMs => performance.timeOrigin + performance.now();

/**
 * A Socket.IO client on WebSocket from the start, never reconnecting. Not the browser's long-polling
 * first: Node's polling transport (xmlhttprequest-ssl) rebuilds the response buffer and string at
 * every chunk, so one 40 MB first view alone took 34 s by polling against 3.3 s by WebSocket —
 * that would measure the client library, not the server.
 */
export function openSocket(url: string, token: string): Socket {
  return io(url, { forceNew: true, reconnection: false, transports: ['websocket'], auth: VIEWS_HANDSHAKE, extraHeaders: { authorization: `Bearer ${token}` } });
}

/** Counts every engine.io packet's payload as it arrives, whichever transport carries it. */
export function meterTraffic(socket: Socket): () => { bytes: number; largestMessage: number; messages: number } {
  const totals = { bytes: 0, largestMessage: 0, messages: 0 };
  socket.io.on('open', () => {
    socket.io.engine.on('packet', (packet: { data?: unknown }) => {
      const { data } = packet;
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data instanceof ArrayBuffer ? data.byteLength : Buffer.isBuffer(data) ? data.length : 0;
      totals.bytes += size;
      totals.messages += 1;
      totals.largestMessage = Math.max(totals.largestMessage, size);
    });
  });
  return () => ({ ...totals });
}

/** The first failure of a socket the benchmark did not close itself. */
export function watchProblems(socket: Socket): () => string | undefined {
  let problem: string | undefined;
  socket.on('connect_error', (error) => (problem ??= `connect_error: ${error.message}`));
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') problem ??= `disconnect: ${reason}`;
  });
  return () => problem;
}

export async function waitForWebSocket(socket: Socket, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (socket.io.engine?.transport.name !== 'websocket') {
    if (!socket.connected && socket.io.engine === undefined && Date.now() > deadline) throw new Error('Socket.IO client closed before upgrading');
    if (Date.now() > deadline) throw new Error(`Socket.IO client did not upgrade to WebSocket within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
