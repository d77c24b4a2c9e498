import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isRunning } from '@/tests/support/processes';
import { withParentDeathSignal } from './parent-death';

describe('withParentDeathSignal', () => {
  it('puts setpriv in front, so the child keeps its pid', () => {
    expect(withParentDeathSignal('/usr/bin/sleep', ['60'])).toEqual({ file: '/usr/bin/setpriv', args: ['--pdeathsig', 'SIGTERM', '--', '/usr/bin/sleep', '60'], launcher: true });
  });

  it('stops the child when its owner is killed outright (SIGKILL: no handler of the owner runs)', async () => {
    // The owner: a process that starts a long sleep through withParentDeathSignal, prints its pid and waits.
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'parent-death-owner.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pid = 0;
    try {
      let stdout = '';
      owner.stdout.setEncoding('utf8');
      owner.stdout.on('data', (chunk: string) => (stdout += chunk));
      await vi.waitFor(() => expect((pid = Number(/child pid (\d+)/.exec(stdout)?.[1] ?? 0))).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
      expect(isRunning(pid)).toBe(true);
      const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
      owner.kill('SIGKILL');
      await exited;
      await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 15_000, interval: 50 });
    } finally {
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
      if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
