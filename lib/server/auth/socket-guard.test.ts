import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import { openHistory, type History } from '../history/store';
import { createAuth, OUTAGE_TRUST_MS } from './service';
import { guardSockets, recheckSockets } from './socket-guard';

const CHEAP = { N: 1024, r: 8, p: 1 };

let postgres: TestPostgres;
let history: History;

beforeAll(async () => {
  postgres = await startPostgres();
  history = await openHistory({ url: await postgres.createDatabase() });
}, 60_000);
afterAll(async () => {
  await history?.close();
  await postgres?.stop();
}, 60_000);

describe('live sockets while PostgreSQL is down (a real server, stopped and started)', () => {
  it('keeps a socket while its token is trusted from memory and through one recheck past it, and closes it at the next', async () => {
    const clock = { ms: Date.UTC(2026, 11, 6, 9, 0, 0) };
    const auth = createAuth({ db: history.db, audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, now: () => clock.ms, passwordCost: CHEAP });
    const { secret } = await auth.tokens.create({ name: 'wall-screen', role: 'viewer' }, 'test');
    const http = createServer();
    const io = new Server(http);
    const stopGuard = guardSockets(io, auth, false);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    let client: Socket | undefined;
    try {
      client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], extraHeaders: { authorization: `Bearer ${secret}` }, reconnection: false });
      const socket = client;
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await postgres.restart(async () => {
        clock.ms += 30_000;
        await recheckSockets(io, auth, false);
        expect(io.sockets.sockets.size).toBe(1);
        // Past the minute trusted from memory, as every recheck after the first is: one such recheck
        // is a blip a socket rides out, the next one closes it.
        clock.ms += OUTAGE_TRUST_MS;
        await recheckSockets(io, auth, false);
        expect(io.sockets.sockets.size).toBe(1);
        clock.ms += OUTAGE_TRUST_MS;
        await recheckSockets(io, auth, false);
        expect(await closed).toBe('io server disconnect');
      });
    } finally {
      client?.close();
      stopGuard();
      await io.close();
    }
  }, 60_000);
});
