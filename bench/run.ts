// `npm run bench`: runs every benchmark against one local etcd and rewrites docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findEtcdBinary, startLocalEtcd, type LocalEtcd } from '@/lib/server/etcd/local';
import { meetsTarget, runPropagation, type PropagationRun } from './propagation';
import { renderReport, type Machine } from './report';
import { runSnapshot } from './snapshot';
import { formatBytes } from './stats';

/**
 * Comparison windows: when the shipped default misses the propagation target, the smaller ones of
 * these; when it meets it, twice the default, to show whether a wider (cheaper) window would too.
 */
const SMALLER_COALESCE_MS = [20, 10, 5];
const comparisonWindows = (shipped: PropagationRun): number[] =>
  shipped.phases.every(meetsTarget)
    ? [Math.min(100, shipped.coalesceMs * 2)].filter((window) => window > shipped.coalesceMs)
    : SMALLER_COALESCE_MS.filter((window) => window < shipped.coalesceMs);
const REPORT = path.resolve(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');

const log = (message: string): void => console.log(`[bench] ${message}`);

function etcdVersion(): string {
  try {
    const out = execFileSync(findEtcdBinary(), ['--version'], { encoding: 'utf8' });
    const version = /etcd Version:\s*(\S+)/.exec(out)?.[1];
    return version ? `etcd ${version}` : 'etcd (version unknown)';
  } catch {
    return 'etcd (version unknown)';
  }
}

/** The code measured: HEAD, and whether the runtime's sources differ from it. */
function revision(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'lib', 'package-lock.json').length > 0;
    return `git ${head}${dirty ? ' with uncommitted changes under lib/' : ''}`;
  } catch {
    return 'git revision unknown';
  }
}

function machine(totalSeconds: number, loadAverage: number[]): Machine {
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    memory: formatBytes(os.totalmem()),
    node: process.version,
    etcd: etcdVersion(),
    revision: revision(),
    loadAverage: loadAverage.map((value) => value.toFixed(2)).join(' / '),
    totalSeconds,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAverage = os.loadavg();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  let etcd: LocalEtcd | undefined;
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await etcd?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  const interrupted = (signal: string): void => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    etcd = await startLocalEtcd(path.join(workDir, 'etcd'));
    log(`etcd at ${etcd.endpoint} (pid ${etcd.pid})`);
    const common = { etcdEndpoint: etcd.endpoint, dataDir: path.join(workDir, 'data'), log };

    log('propagation latency, shipped default coalescing window');
    const runs: PropagationRun[] = [await runPropagation(common)];
    const shipped = runs[0];
    for (const coalesceMs of shipped ? comparisonWindows(shipped) : []) {
      log(`propagation latency, SWITCHYARD_COALESCE_MS=${coalesceMs} (comparison)`);
      runs.push(await runPropagation({ ...common, coalesceMs }));
    }

    log('snapshot at scale');
    const snapshot = await runSnapshot(common);

    const report = renderReport(machine((performance.now() - started) / 1_000, loadAverage), runs, snapshot);
    writeFileSync(REPORT, report);
    log(`wrote ${path.relative(process.cwd(), REPORT)}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
