import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPostgresSignalBus } from './signal-bus';

afterEach(() => {
  vi.useRealTimers();
});

describe('the PostgreSQL signal bus', () => {
  it('whose start fails (database down) leaves nothing behind: no reconnect timer, no later attempt', async () => {
    // A database host that is down as a client sees it: every connection ended at once.
    let attempts = 0;
    const down = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const address = down.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
      const lines: string[] = [];
      const bus = createPostgresSignalBus({ url: `postgres://switchyard@127.0.0.1:${address.port}/switchyard`, replicaId: 'replica-a', log: (line) => lines.push(line) });
      await expect(bus.start()).rejects.toThrow();
      expect(attempts).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(attempts).toBe(1);
      expect(lines).toEqual([]);
      expect(bus.stats().connected).toBe(false);
      await bus.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      await new Promise((resolve) => down.close(resolve));
    }
  });
});
