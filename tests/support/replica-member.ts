import { spawn } from 'node:child_process';
import path from 'node:path';
import { signalAndWait } from './peer-process';

export interface MemberReport {
  /** The child's own clock when it printed this. */
  at: number;
  members: string[];
  leader: boolean;
  owned: number[];
}

export interface ReplicaMemberProcess {
  id: string;
  /** Every report so far, oldest first. */
  reports(): readonly MemberReport[];
  latest(): MemberReport | undefined;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');


/** Starts `replica-member-process.ts` and waits for its first report (joined and listed). */
export async function startReplicaMember(options: { etcdEndpoint: string; controlPrefix: string; id: string; ttlSeconds: number; keyCount: number }): Promise<ReplicaMemberProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/replica-member-process.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ETCD_ENDPOINT: options.etcdEndpoint,
      CONTROL_PREFIX: options.controlPrefix,
      REPLICA_ID: options.id,
      TTL_SECONDS: String(options.ttlSeconds),
      KEY_COUNT: String(options.keyCount),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: MemberReport[] = [];
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) reports.push(JSON.parse(line) as MemberReport);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica ${options.id} did not join in 30 s:\n${errors}`)), 30_000);
    const check = setInterval(() => {
      if (reports.length === 0) return;
      clearTimeout(timer);
      clearInterval(check);
      resolve();
    }, 20);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`replica ${options.id} exited with ${code}:\n${errors}`));
    });
  });
  return {
    id: options.id,
    reports: () => reports,
    latest: () => reports.at(-1),
    kill: () => signalAndWait(child, 'SIGKILL'),
    stop: () => signalAndWait(child, 'SIGTERM'),
  };
}
