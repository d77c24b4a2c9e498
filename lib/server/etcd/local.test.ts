import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startLocalEtcd } from './local';

describe('local etcd', () => {
  it('starts on other ports when a port found free is taken before etcd binds it', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const takenPort = typeof address === 'object' && address ? address.port : 0;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    // The first port handed out is the taken one, as when another process wins the race.
    let handedOut = 0;
    const ports = async (): Promise<number> => (handedOut++ === 0 ? takenPort : freePort());
    const etcd = await startLocalEtcd(dataDir, { ports });
    try {
      expect(new URL(etcd.endpoint).port).not.toBe(String(takenPort));
      expect(handedOut).toBe(4);
    } finally {
      await etcd.stop();
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
