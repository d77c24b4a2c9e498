import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn } from './login';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface LaunchedDemo {
  url: string;
  /** The session cookie (`name=value`) of the admin the demo printed. */
  cookie: string;
  stop(): Promise<void>;
}

/** Runs `demo/main.ts` in a temp data dir (as `npm run demo` does once built) until `stop()`; resolves signed in as its admin. */
export async function launchDemo(args: string[] = []): Promise<LaunchedDemo> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-demo-'));
  const demo = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', ...args], {
    cwd: ROOT,
    // Its etcd on a free port: parallel runs, and a developer's fleet pointed at 2379, stay apart from it.
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', DATA_DIR: dataDir, SWITCHYARD_LOCAL_ETCD_PORT: 'free' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (demo.exitCode === null && demo.signalCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let printed = '';
    const { url, password } = await new Promise<{ url: string; password: string }>((resolve, reject) => {
      demo.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const url = /Switchyard demo: (http:\/\/\S+)/.exec(printed)?.[1];
        const password = /Sign in as admin \/ (\S+)/.exec(printed)?.[1];
        if (url && password) resolve({ url, password });
      });
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}`)));
    });
    const { cookie, status } = await signIn(url, 'admin', password);
    if (!cookie) throw new Error(`cannot sign in to the demo (HTTP ${status})`);
    return { url, cookie, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
