import { spawn } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';

export interface IngestFlood {
  pid: number | undefined;
  /** Resolves when the flood has run its course, with what the server answered. */
  done: Promise<{ accepted: number; refused: number }>;
  /** SIGKILL, if it is still running (afterAll: a failed test must not leave it flooding). */
  kill(): Promise<void>;
}

export interface IngestFloodOptions {
  url: string;
  token: string;
  clients: number;
  durationMs: number;
  batchEveryMs: number;
  reportersPerClient: number;
  callees: string[];
}

const root = path.resolve(import.meta.dirname, '../..');
const SummarySchema = z.object({ accepted: z.number(), refused: z.number() });

/** Starts `ingest-flood-process.ts` as its own process: the load is generated off the test's event loop. */
export function startIngestFlood(options: IngestFloodOptions): IngestFlood {
  return startFloodProcess('tests/support/ingest-flood-process.ts', {
    TARGET_URL: options.url,
    TOKEN: options.token,
    CLIENTS: String(options.clients),
    DURATION_MS: String(options.durationMs),
    BATCH_EVERY_MS: String(options.batchEveryMs),
    REPORTERS_PER_CLIENT: String(options.reportersPerClient),
    CALLEES: options.callees.join(','),
  });
}

export interface OtlpFloodOptions {
  url: string;
  token: string;
  clients: number;
  durationMs: number;
  /** Resources (services) per export, 20 histogram points each: ~6 KB of protobuf a resource. */
  resourcesPerExport: number;
}

/** Starts `otlp-flood-process.ts`: clients posting big OTLP protobuf exports back to back. */
export function startOtlpFlood(options: OtlpFloodOptions): IngestFlood {
  return startFloodProcess('tests/support/otlp-flood-process.ts', {
    TARGET_URL: options.url,
    TOKEN: options.token,
    CLIENTS: String(options.clients),
    DURATION_MS: String(options.durationMs),
    RESOURCES_PER_EXPORT: String(options.resourcesPerExport),
  });
}

/** A flood script as its own process, told what to do by its environment; it prints its summary as one JSON line. */
function startFloodProcess(script: string, env: Record<string, string>): IngestFlood {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const done = exited.then(() => {
    const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
    if (child.exitCode !== 0 || !line) throw new Error(`flood exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    return SummarySchema.parse(JSON.parse(line));
  });
  // Read by the caller; kept from counting as unhandled when the caller kills the flood instead.
  done.catch(() => undefined);
  return {
    pid: child.pid,
    done,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
