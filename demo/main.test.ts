import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from './args';

const ROOT = path.resolve(__dirname, '..');

/**
 * `npm run demo -- …` as a user types it. ensure runs dry (ENSURE_DRY_RUN prints what it would do)
 * and takes etcd for missing, so a step that would install or build shows as an `ensure:` line.
 */
function npmRunDemo(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'demo', '--', ...args], { cwd: ROOT, env: { ...process.env, ENSURE_DRY_RUN: '1', ENSURE_FAKE_MISSING: 'etcd', ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('npm run demo', () => {
  it('answers --help with its usage alone, before any install or build', async () => {
    const { code, stdout, stderr } = await npmRunDemo(['--help']);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  }, 30_000);

  it('answers a bad argument with the error and its usage, before any install or build', async () => {
    const { code, stdout, stderr } = await npmRunDemo(['--scenario', 'no-such-scenario']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^--scenario: unknown scenario "no-such-scenario"; valid: .*\n\nUsage: npm run demo/);
  }, 30_000);

  it('still makes sure etcd is installed (and the build current) before a real start', async () => {
    // A bad PORT stops the start right after that step, before anything is launched. As root ensure
    // would install etcd (dry: says it would); otherwise it prints the sudo line and stops.
    const { code, stdout, stderr } = await npmRunDemo([], { PORT: 'not-a-port' });
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).toMatch(/apt-get install -y etcd-server/);
  }, 30_000);
});
