import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/lib/server/etcd/local';
import { signalAndWait } from './peer-process';

const root = path.resolve(import.meta.dirname, '../..');

export interface TestHaproxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real HAProxy (Debian `haproxy`) in front of the replicas, configured by docs/deploy/haproxy.cfg
 * (DEPLOYMENT.md's example) with this run's ports and a faster health check.
 */
export async function startHaproxy(backends: string[]): Promise<TestHaproxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  // The documented example, with this run's addresses: what DEPLOYMENT.md shows is what is tested.
  const example = readFileSync(path.join(root, 'docs/deploy/haproxy.cfg'), 'utf8');
  const servers = backends.map((backend, index) => `  server replica${index + 1} ${new URL(backend).host} check`).join('\n');
  // Every backend's: the same replicas, checked as often.
  const text = example
    .replace(/^ {2}bind .*$/m, `  bind 127.0.0.1:${port}`)
    .replaceAll(/^ {2}default-server inter 2s /gm, '  default-server inter 500ms ')
    .replaceAll(/(^ {2}server .*\n?)+/gm, `${servers}\n`);
  if (!text.includes(`bind 127.0.0.1:${port}`) || !text.includes(servers) || !text.includes('inter 500ms') || text.includes(' 10.0.0.')) throw new Error('docs/deploy/haproxy.cfg no longer has the bind, default-server and server lines this harness replaces');
  writeFileSync(config, text);
  const binary = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
  const child = spawn(binary, ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${stderr}`);
    const up = await fetch(`${url}/healthz`).then((response) => response.status === 200, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not answer in 15 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      await signalAndWait(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
