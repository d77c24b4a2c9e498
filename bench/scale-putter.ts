import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { buildGoProgram } from '../tests/support/go-register';

const SOURCE = path.resolve(import.meta.dirname, 'go/putter.go');

const PutsSchema = z.object({
  acked: z.array(z.tuple([z.string(), z.string(), z.number()])),
  errors: z.number().int().min(0),
  ackMs: z.array(z.number()),
  cpuMs: z.number().min(0),
});
export type Puts = z.infer<typeof PutsSchema>;

export interface PutPlan {
  putsPerSecond: number;
  seconds: number;
  services: string[];
  prefix: string;
  port: number;
}

export interface GoPutter {
  /** Puts at the plan's rate from a Go process and resolves with every acknowledged put, once all are answered. */
  run(etcdEndpoint: string, plan: PutPlan): Promise<Puts>;
  remove(): void;
}

/**
 * The fan-out's load generator in Go (bench/go/putter.go: etcd's own clientv3, as Go services
 * register), built like the tests' registrar against Debian's clientv3. In Node, etcd3 took half a
 * core for 1,000 puts a second on the two cores the server, etcd and the viewers also need.
 */
export async function buildGoPutter(): Promise<GoPutter> {
  const { dir, binary } = await buildGoProgram(SOURCE, 'bench/go/putter.go');
  return {
    run(etcdEndpoint, plan) {
      const args = ['-endpoints', etcdEndpoint, '-prefix', plan.prefix, '-services', plan.services.join(','), '-rate', String(plan.putsPerSecond), '-seconds', String(plan.seconds), '-port', String(plan.port)];
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<Puts>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => {
          if (code !== 0) return reject(new Error(`the Go load generator exited with ${code}: ${stderr.slice(0, 2_000)}`));
          try {
            resolve(PutsSchema.parse(JSON.parse(stdout)));
          } catch (error) {
            reject(new Error(`the Go load generator's output is not its result: ${String(error)}`));
          }
        });
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
