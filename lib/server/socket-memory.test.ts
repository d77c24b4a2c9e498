import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientToServerEvents, LiveClosing, ServerToClientEvents, ServiceSnapshot, Snapshot } from '@/lib/model/live';
import { createManualClock, type ManualClock } from '@/tests/support/manual-clock';
import { attachLiveHub, type LiveHub, type LiveServer } from './live';
import { createStore, type DecodedKey, type Store } from './store/store';

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Small so that a few dozen snapshots cross it; the kernel's loopback buffers take a few MB first. */
const LIMIT = 1024 * 1024;
const GRACE_MS = 5_000;
const INSTANCES = 300;

const key = (service: string, id: string): DecodedKey => ({
  etcdKey: `/services/${service}/${id}`,
  lease: undefined,
  registrations: [{ service, id, address: `127.0.0.1:${20_000 + Number(id.slice(5))}`, format: 'native', version: '1.0', zone: 'z1', metadata: { team: 'x' } }],
});

let store: Store;
let http: HttpServer;
let io: LiveServer;
let hub: LiveHub;
let clock: ManualClock;
let slow: LiveClosing[];
const clients: LiveClient[] = [];

beforeEach(async () => {
  store = createStore({ coalesceMs: 0, replayCapacity: 4, clock: createManualClock() });
  for (let i = 0; i < INSTANCES; i += 1) store.upsertKey(key('big', `inst-${i}`));
  store.flush();
  clock = createManualClock();
  slow = [];
  http = createServer();
  io = new Server(http);
  hub = attachLiveHub(io, store, () => undefined, { clock, limitBytes: LIMIT, graceMs: GRACE_MS, onSlowConsumer: (notice) => slow.push(notice) });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  hub.close();
  await io.close();
  store.close();
  vi.restoreAllMocks();
});

/** Polls (each turn of the event loop) until `check` holds; throws after 10 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Received {
  snapshots: Snapshot[];
  services: ServiceSnapshot[];
  closing: LiveClosing[];
  disconnects: string[];
}

async function client(views = false): Promise<{ socket: LiveClient; received: Received; server: ServerSocket }> {
  const socket: LiveClient = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(views ? { auth: { views: true } } : {}),
  });
  clients.push(socket);
  const received: Received = { snapshots: [], services: [], closing: [], disconnects: [] };
  socket.on('state:snapshot', (snapshot) => received.snapshots.push(snapshot));
  socket.on('service:snapshot', (snapshot) => received.services.push(snapshot));
  socket.on('live:closing', (notice) => received.closing.push(notice));
  socket.on('disconnect', (reason) => received.disconnects.push(reason));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const server = io.of('/').sockets.get(socket.id ?? '');
  if (!server) throw new Error('no server socket');
  return { socket, received, server };
}

/** The client stops reading its TCP socket: what the server sends piles up in the kernel, then in the server's buffers. */
const tcpOf = (socket: LiveClient): NetSocket => (socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket;

/** Measured the way the server holds it, without the code under test: engine.io's queue plus the ws socket's buffer. */
function unsentOf(server: ServerSocket): number {
  const conn = server.conn as unknown as { writeBuffer: { data?: unknown }[]; transport: { socket?: { bufferedAmount: number } } };
  const queued = conn.writeBuffer.reduce((sum, packet) => sum + (typeof packet.data === 'string' ? packet.data.length : 0), 0);
  return queued + (conn.transport.socket?.bufferedAmount ?? 0);
}

/** Sends `request` until the server finds the socket slow (or its unsent data passes 6 limits: unbounded); the peak of unsent data. */
async function flood(server: ServerSocket, event: 'state:resume' | 'live:subscribe', request: () => void): Promise<number> {
  let handled = 0;
  server.on(event, () => (handled += 1));
  let peak = 0;
  for (let sent = 1; sent <= 2_000 && slow.length === 0 && peak <= 6 * LIMIT; sent += 1) {
    // Past the rate limits and the snapshot pacing: every request asks for a full snapshot.
    clock.advance(1_000);
    request();
    await until(() => handled === sent || server.disconnected, `request ${sent} handled`);
    peak = Math.max(peak, unsentOf(server));
  }
  return peak;
}

describe('live sockets that do not read (slow consumers)', () => {
  it('a fleet-stream socket asking for snapshots while not reading is disconnected at the bound, counted, and cut after the grace period', async () => {
    const { socket, received, server } = await client();
    await until(() => received.snapshots.length === 1, 'the snapshot on connect');
    const snapshotBytes = JSON.stringify(received.snapshots[0]).length;
    tcpOf(socket).pause();

    const peak = await flood(server, 'state:resume', () => socket.emit('state:resume', { seq: 999_999_999 }));

    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ reason: 'slow consumer', limitBytes: LIMIT });
    expect(slow[0]?.unsentBytes).toBeGreaterThan(LIMIT);
    // Checked before each packet: the bound plus the one message that crossed it (and a few small ones).
    expect(peak).toBeLessThanOrEqual(LIMIT + snapshotBytes + 4096);
    await until(() => server.disconnected, 'the socket disconnected');
    // Never reading, it holds its buffers until the grace period ends; then the connection is cut.
    clock.advance(GRACE_MS);
    await until(() => io.engine.clientsCount === 0, 'the connection closed');
    const ws = (server.conn.transport as unknown as { socket: { readyState: number } }).socket;
    await until(() => ws.readyState === 3, 'the WebSocket closed');
    expect(unsentOf(server)).toBe(0);
  });

  it('a slow consumer that reads on within the grace period sees why it was disconnected', async () => {
    const { socket, received, server } = await client();
    await until(() => received.snapshots.length === 1, 'the snapshot on connect');
    tcpOf(socket).pause();
    await flood(server, 'state:resume', () => socket.emit('state:resume', { seq: 999_999_999 }));
    expect(slow).toHaveLength(1);

    tcpOf(socket).resume();
    await until(() => received.disconnects.length === 1, 'the disconnect');
    expect(received.closing).toEqual([expect.objectContaining({ reason: 'slow consumer', limitBytes: LIMIT, message: expect.stringContaining('unread') })]);
    expect(received.disconnects).toEqual(['io server disconnect']);
  });

  it('a view socket re-subscribing a service while not reading is held to the same bound', async () => {
    const { socket, received, server } = await client(true);
    socket.emit('live:subscribe', { view: 'service', service: 'big' });
    await until(() => received.services.length === 1, 'the service snapshot');
    const snapshotBytes = JSON.stringify(received.services[0]).length;
    tcpOf(socket).pause();

    const peak = await flood(server, 'live:subscribe', () => socket.emit('live:subscribe', { view: 'service', service: 'big' }));

    expect(slow).toHaveLength(1);
    expect(peak).toBeLessThanOrEqual(LIMIT + snapshotBytes + 4096);
    clock.advance(GRACE_MS);
    await until(() => io.engine.clientsCount === 0, 'the connection closed');
  });
});

describe('snapshots are serialised once per store version and paced per socket', () => {
  it('many sockets and resumes at one version: the fleet snapshot is encoded once', async () => {
    const encode = vi.spyOn(io.encoder, 'encode');
    const encodedSnapshots = (): number => encode.mock.calls.filter(([packet]) => Array.isArray(packet.data) && packet.data[0] === 'state:snapshot').length;
    const readers = await Promise.all([client(), client(), client()]);
    await until(() => readers.every(({ received }) => received.snapshots.length === 1), 'the snapshots on connect');
    clock.advance(1_000);
    for (const { socket } of readers) socket.emit('state:resume', { seq: 999_999_999 });
    await until(() => readers.every(({ received }) => received.snapshots.length === 2), 'the resumed snapshots');
    expect(readers.flatMap(({ received }) => received.snapshots.map((snapshot) => snapshot.seq))).toEqual(Array(6).fill(store.snapshot().seq));
    expect(encodedSnapshots()).toBe(1);
  });

  it('two viewers of one service at one version: its snapshot is encoded once', async () => {
    const encode = vi.spyOn(io.encoder, 'encode');
    const encodedSnapshots = (): number => encode.mock.calls.filter(([packet]) => Array.isArray(packet.data) && packet.data[0] === 'service:snapshot').length;
    const viewers = await Promise.all([client(true), client(true)]);
    for (const { socket } of viewers) socket.emit('live:subscribe', { view: 'service', service: 'big' });
    await until(() => viewers.every(({ received }) => received.services.length === 1), 'the service snapshots');
    expect(viewers.map(({ received }) => received.services[0]?.instances.length)).toEqual([INSTANCES, INSTANCES]);
    expect(encodedSnapshots()).toBe(1);
  });

  it('snapshot-resumes from one socket inside the interval share one answer, sent when the interval ends', async () => {
    const { socket, received } = await client();
    await until(() => received.snapshots.length === 1, 'the snapshot on connect');
    /** The server has handled everything sent before it (and written what it answered) once this is acknowledged. */
    const barrier = (): Promise<unknown> => new Promise((resolve) => socket.emit('live:unsubscribe', { view: 'summary' }, resolve));
    for (let i = 0; i < 3; i += 1) socket.emit('state:resume', { seq: 999_999_999 });
    await barrier();
    expect(received.snapshots).toHaveLength(1);

    store.upsertKey(key('big', 'inst-9999'));
    store.flush();
    clock.advance(1_000);
    await until(() => received.snapshots.length === 2, 'the paced snapshot');
    await barrier();
    expect(received.snapshots).toHaveLength(2);
    // As of when it left, not when it was asked.
    expect(received.snapshots[1]?.services.find((service) => service.name === 'big')?.instances).toHaveLength(INSTANCES + 1);
  });
});
