import { spawn } from 'node:child_process';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { loadConfig } from '@/lib/server/config';
import { freePort, startLocalEtcd } from '@/lib/server/etcd/local';
import { startFleet } from './fleet';

const root = path.resolve(import.meta.dirname, '..');

async function portToUse(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => void freePort().then(resolve));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

/** `npm run demo`: a local etcd, the demo fleet and the dashboard, all stopped by Ctrl-C. */
async function main(): Promise<void> {
  const config = loadConfig();
  const etcd = await startLocalEtcd(path.join(config.dataDir, 'demo-etcd'));
  const client = new Etcd3({ hosts: etcd.endpoint });
  const fleet = await startFleet(client);
  const port = await portToUse(config.PORT);
  const dashboard = spawn(path.join(root, 'node_modules/.bin/tsx'), ['server.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ETCD_ENDPOINTS: etcd.endpoint },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  dashboard.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    process.stdout.write(text);
    if (text.includes('Switchyard ready on')) {
      console.log(`\n  Switchyard demo: http://${config.HOST}:${port}\n  etcd: ${etcd.endpoint} (data in ${etcd.dataDir})`);
      console.log(`  ${fleet.instances.length} instances in ${new Set(fleet.instances.map((i) => i.instance.service)).size} services. Ctrl-C stops everything.\n`);
    }
  });

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (dashboard.exitCode === null) {
      const exited = new Promise((resolve) => dashboard.once('exit', resolve));
      dashboard.kill('SIGTERM');
      await exited;
    }
    await fleet.stop();
    client.close();
    await etcd.stop();
    process.exit(code);
  };
  dashboard.once('exit', (code) => void stop(code ?? 1));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
