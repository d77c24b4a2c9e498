import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, openStoreDatabase } from './database';
import { isDatabaseUnreachable } from './unreachable';

describe('openStoreDatabase on PostgreSQL', () => {
  it('gives up on a server that accepts the connection and never answers, as unreachable', async () => {
    // What a database host behind a network that drops packets looks like to the client: no answer.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const outcome = await openStoreDatabase({ url: `postgres://switchyard:secret@127.0.0.1:${address.port}/switchyard` }).then(
        () => new Error('opened'),
        (error: unknown) => error,
      );
      expect(String(outcome)).toMatch(/cannot open the PostgreSQL store/);
      expect(isDatabaseUnreachable(outcome)).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, CONNECT_TIMEOUT_MS + 20_000);
});
