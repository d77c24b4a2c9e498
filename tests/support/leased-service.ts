import { spawn } from 'node:child_process';
import path from 'node:path';
import { signalAndWait } from './peer-process';

export interface LeasedService {
  address: string;
  /** SIGKILL: the process is gone at once, its lease expires after its TTL. */
  kill(): Promise<void>;
  /** SIGTERM: revokes its lease, then exits. */
  stop(): Promise<void>;
  /** SIGUSR2: stops keeping its lease alive and closes its etcd client, and serves on. */
  loseEtcd(): void;
}

const root = path.resolve(import.meta.dirname, '../..');


/** Starts `leased-service-process.ts` as a real child process and waits until it is registered. */
export async function startLeasedService(options: { etcdEndpoint: string; service: string; id: string; leaseTtlSeconds: number; dependsOn?: string[] }): Promise<LeasedService> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/leased-service-process.ts'], {
    cwd: root,
    env: { ...process.env, ETCD_ENDPOINT: options.etcdEndpoint, SERVICE: options.service, INSTANCE_ID: options.id, LEASE_TTL_SECONDS: String(options.leaseTtlSeconds), ...(options.dependsOn ? { DEPENDS_ON: options.dependsOn.join(',') } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service ${options.id} did not register in 30 s:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { address: string }).address);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service ${options.id} exited with ${code}:\n${output}`));
    });
  });
  return {
    address,
    kill: () => signalAndWait(child, 'SIGKILL'),
    stop: () => signalAndWait(child, 'SIGTERM'),
    loseEtcd: () => void child.kill('SIGUSR2'),
  };
}
