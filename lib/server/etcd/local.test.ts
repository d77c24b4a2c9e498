import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isRunning, processStat } from '@/tests/support/processes';
import { clientPortSaid, freePort, startLocalEtcd } from './local';

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

  it('never takes another etcd answering on its port for its own: that port counts as taken and it starts on another', async () => {
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    const other = await startLocalEtcd(otherDir);
    const otherPort = Number(new URL(other.endpoint).port);
    // The first port handed out is the other etcd's, as when two starters race for 2379.
    let handedOut = 0;
    const ports = async (): Promise<number> => (handedOut++ === 0 ? otherPort : freePort());
    try {
      const etcd = await startLocalEtcd(dataDir, { ports });
      try {
        expect(etcd.endpoint).not.toBe(other.endpoint);
        expect(isRunning(etcd.pid ?? 0)).toBe(true);
      } finally {
        await etcd.stop();
      }
    } finally {
      await other.stop();
      rmSync(otherDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('on a stable client port (the product\'s own etcd: a fleet is pointed at it once)', () => {
    it('takes the preferred port when free, and the same port at the next start', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
      const preferred = await freePort();
      try {
        const first = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await first.stop();
        const second = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await second.stop();
        expect([first.endpoint, first.clientPortFrom]).toEqual([`http://127.0.0.1:${preferred}`, 'preferred']);
        expect([second.endpoint, second.clientPortFrom]).toEqual([`http://127.0.0.1:${preferred}`, 'remembered']);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('the preferred port taken: a free one, remembered and taken again at the next start, even once the preferred is free', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const address = taken.address();
      const preferred = typeof address === 'object' && address ? address.port : 0;
      try {
        const first = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await first.stop();
        await new Promise<void>((resolve) => taken.close(() => resolve()));
        const second = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await second.stop();
        expect(first.endpoint).not.toBe(`http://127.0.0.1:${preferred}`);
        expect(first.clientPortFrom).toBe('free');
        expect([second.endpoint, second.clientPortFrom]).toEqual([first.endpoint, 'remembered']);
      } finally {
        if (taken.listening) taken.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('the remembered port taken: another for this start only, said so; the remembered one again at the next start', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
      const preferred = await freePort();
      const first = await startLocalEtcd(dataDir, { stableClientPort: { preferred: await freePort() } });
      await first.stop();
      const remembered = Number(new URL(first.endpoint).port);
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(remembered, '127.0.0.1', resolve));
      try {
        const second = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await second.stop();
        expect([second.endpoint, second.clientPortFrom]).toEqual([`http://127.0.0.1:${preferred}`, 'preferred']);
        expect(clientPortSaid(second)).toBe(`the port it had at its last start, ${remembered}, is taken; using ${preferred} for this start`);
        // The fleet is pointed at the remembered port: it is not overwritten.
        expect(readFileSync(path.join(dataDir, 'client-port'), 'utf8').trim()).toBe(String(remembered));
        await new Promise<void>((resolve) => taken.close(() => resolve()));
        const third = await startLocalEtcd(dataDir, { stableClientPort: { preferred } });
        await third.stop();
        expect([third.endpoint, third.clientPortFrom]).toEqual([first.endpoint, 'remembered']);
      } finally {
        if (taken.listening) taken.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('a client-port file it cannot write (a directory in its place) costs a warning, not the start', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
      mkdirSync(path.join(dataDir, 'client-port'));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const etcd = await startLocalEtcd(dataDir, { stableClientPort: { preferred: await freePort() } });
        await etcd.stop();
        expect(etcd.clientPortFrom).toBe('preferred');
        expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^local etcd: cannot remember its client port in .*client-port \(EISDIR.*\); the next start may take another$/));
      } finally {
        warn.mockRestore();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
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
    await expectStoppedWithOwner('exit', () => undefined);
  }, 60_000);

  it('in a process group of its own, it is stopped when its owner is killed outright (SIGKILL: no handler runs)', async () => {
    await expectStoppedWithOwner('wait', (owner) => owner.kill('SIGKILL'));
  }, 60_000);

  it('in a process group of its own, a missing etcd binary is said so, not as an exit code', async () => {
    vi.stubEnv('ETCD_BIN', '/nonexistent/etcd');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
    try {
      await expect(startLocalEtcd(dataDir, { ownProcessGroup: true })).rejects.toThrow(
        /^cannot start etcd \(.*\/nonexistent\/etcd.*\); install Debian's etcd-server or set ETCD_BIN$/,
      );
    } finally {
      vi.unstubAllEnvs();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Runs fixtures/owner.ts in `mode`, ends it with `end` once its etcd is up, and expects that etcd to be gone. */
async function expectStoppedWithOwner(mode: 'exit' | 'wait', end: (owner: ChildProcess) => void): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-etcd-'));
  const owner = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'owner.ts'), dataDir, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pid = 0;
  try {
    const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
    let stdout = '';
    owner.stdout.setEncoding('utf8');
    owner.stdout.on('data', (chunk: string) => (stdout += chunk));
    await vi.waitFor(() => expect((pid = Number(/etcd pid (\d+)/.exec(stdout)?.[1] ?? 0))).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
    end(owner);
    await exited;
    // Gone (or a zombie, where nothing reaps orphans) once it has handled the SIGTERM it was sent.
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 15_000, interval: 50 });
  } finally {
    // Not left running by a failed run.
    if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

