import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { isRunning, processStat } from '@/tests/support/processes';
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

  it('in a process group of its own (out of reach of a Ctrl-C to ours), stop() still stops it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    const etcd = await startLocalEtcd(dataDir, { ownProcessGroup: true });
    try {
      const pid = etcd.pid ?? 0;
      // A terminal signals the whole foreground group.
      expect(processStat(pid)?.group).toBe(pid);
      expect(processStat(pid)?.group).not.toBe(processStat(process.pid)?.group);
      await etcd.stop();
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    } finally {
      await etcd.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('in a process group of its own, it is stopped when its owner exits without stopping it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    try {
      const fixture = path.join(import.meta.dirname, 'fixtures', 'exit-without-stop.ts');
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, dataDir], { timeout: 30_000 });
      const pid = Number(/etcd pid (\d+)/.exec(stdout)?.[1]);
      expect(pid).toBeGreaterThan(0);
      // Gone (or a zombie, where nothing reaps orphans) once it has handled the SIGTERM its owner sent on the way out.
      try {
        await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 15_000, interval: 50 });
      } finally {
        // Not left running by a failed run.
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

