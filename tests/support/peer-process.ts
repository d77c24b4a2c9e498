import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './server';

/** Resolves when the child has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Sends `signal` and waits for the exit. */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const done = exited(child);
  child.kill(signal);
  await done;
}

export interface PeerProcess {
  output(): string;
  /** SIGTERM, waits for the exit, then runs the caller's cleanup. */
  stop(): Promise<void>;
}

/**
 * A real program the tests talk to (Prometheus, Alertmanager): started with `args`, ready once
 * `readyUrl` answers 2xx; if it does not within 30 s it is stopped and its output thrown.
 */
export async function startPeerProcess(options: { name: string; binary: string; args: string[]; readyUrl: string; cleanup: () => unknown }): Promise<PeerProcess> {
  const child = spawn(options.binary, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    await signalAndWait(child, 'SIGTERM');
    await options.cleanup();
  };
  try {
    await eventually(async () => ((await fetch(options.readyUrl).catch(() => undefined))?.ok ? true : undefined), 30_000, `${options.name} ready`);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${output}`);
  }
  return { output: () => output, stop };
}
