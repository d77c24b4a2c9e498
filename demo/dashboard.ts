import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { withParentDeathSignal } from '@/lib/server/parent-death';

const root = path.resolve(import.meta.dirname, '..');

export interface Dashboard {
  child: ChildProcess;
  /** Resolves once the server logs that it is ready. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the real dashboard (server.ts) as a child process against the given etcd, its output passed
 * through. `adminPasswordChosenByDemo`: the newcomer set no SWITCHYARD_ADMIN_PASSWORD, so the
 * server's first start line must not name it.
 */
export function startDashboard(options: { port: number; etcdEndpoints: string[]; adminPassword: string; adminPasswordChosenByDemo: boolean }): Dashboard {
  // Stopped with the demo however the demo ends: a killed demo left it running without its etcd.
  const command = withParentDeathSignal(process.execPath, ['--import', 'tsx', 'server.ts']);
  const child = spawn(command.file, command.args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(options.port),
      ETCD_ENDPOINTS: options.etcdEndpoints.join(','),
      SWITCHYARD_ADMIN_PASSWORD: options.adminPassword,
      SWITCHYARD_INTERNAL_ADMIN_PASSWORD_CHOSEN_BY: options.adminPasswordChosenByDemo ? 'demo' : undefined,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      if (text.includes('Switchyard ready on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the dashboard exited with code ${code} before it was ready`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
