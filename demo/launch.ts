import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs `demo/main.ts` in a temp data dir (as `npm run demo` does once built) until `stop()`; resolves with its URL. */
export async function launchDemo(args: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-demo-'));
  const demo = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', DATA_DIR: dataDir },
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
    const url = await new Promise<string>((resolve, reject) => {
      demo.stdout.on('data', (chunk: Buffer) => {
        const found = /Switchyard demo: (http:\/\/\S+)/.exec(chunk.toString());
        if (found?.[1]) resolve(found[1]);
      });
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}`)));
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
