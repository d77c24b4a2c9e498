// `npm run bench [-- section…]`: runs the benchmarks (all, or the named sections) and rewrites
// docs/BENCHMARKS.md, keeping the sections that were not run as the last run wrote them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findEtcdBinary, startLocalEtcd, type LocalEtcd } from '@/lib/server/etcd/local';
import { meetsTarget, runPropagation, type PropagationRun } from './propagation';
import { renderDemoStartupSection, runDemoStartup } from './demo-startup';
import { runHistoryBench } from './history';
import { renderHistorySection, renderIngestSection } from './history-report';
import { runIngestBench } from './ingest';
import { runOtlpBench } from './otlp';
import { renderOtlpSection } from './otlp-report';
import { renderProbeDaySection, runProbeDay } from './probe-day';
import { runProbing } from './probing';
import { renderProbingSection } from './probing-report';
import { runReplicasBench } from './replicas';
import { renderReplicasSection } from './replicas-report';
import { renderHeader, renderPropagationSection, renderSnapshotSection, type Machine } from './report';
import { mergeReport, provenanceLine, SECTIONS, selectSections, type SectionId } from './report-sections';
import { renderSeriesSection, runSeriesBench } from './series';
import { runScaleBench } from './scale';
import { renderScaleSection } from './scale-report';
import { runSnapshot } from './snapshot';
import { runSyncScale } from './sync-scale';
import { renderTopologySection, runTopologyBench } from './topology';
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

function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    memory: formatBytes(os.totalmem()),
    node: process.version,
    etcd: etcdVersion(),
  };
}

/** Runs one section and returns its body, headed by when, how and on what code it was measured. */
async function measured(command: string, measure: () => Promise<string>): Promise<string> {
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((value) => value.toFixed(2)).join(' / ');
  const started = performance.now();
  const body = await measure();
  const seconds = (performance.now() - started) / 1_000;
  return `${provenanceLine({ date, command, revision: revision(), loadAverage, seconds })}\n\n${body}`;
}

async function main(): Promise<void> {
  const selected = selectSections(process.argv.slice(2));
  const command = selected.length === SECTIONS.length ? 'npm run bench' : `npm run bench -- ${selected.join(' ')}`;
  const needsEtcd = SECTIONS.some((section) => section.needsEtcd && selected.includes(section.id));
  const fresh = new Map<SectionId, string>();
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
    if (needsEtcd) {
      etcd = await startLocalEtcd(path.join(workDir, 'etcd'));
      log(`etcd at ${etcd.endpoint} (pid ${etcd.pid})`);
    }
    const common = { etcdEndpoint: etcd?.endpoint ?? '', dataDir: path.join(workDir, 'data'), log };

    if (selected.includes('propagation')) {
      fresh.set(
        'propagation',
        await measured(command, async () => {
          log('propagation latency, shipped default coalescing window');
          const runs: PropagationRun[] = [await runPropagation(common)];
          const shipped = runs[0];
          for (const coalesceMs of shipped ? comparisonWindows(shipped) : []) {
            log(`propagation latency, SWITCHYARD_COALESCE_MS=${coalesceMs} (comparison)`);
            runs.push(await runPropagation({ ...common, coalesceMs }));
          }
          return renderPropagationSection(runs);
        }),
      );
    }
    if (selected.includes('snapshot')) {
      log('snapshot at scale');
      fresh.set('snapshot', await measured(command, async () => renderSnapshotSection(await runSnapshot(common), await runSyncScale(common))));
    }
    if (selected.includes('probing')) {
      log('active probing at scale');
      fresh.set('probing', await measured(command, async () => renderProbingSection(await runProbing({ log }))));
    }

    if (selected.includes('ingest')) {
      log('ingest throughput');
      fresh.set('ingest', await measured(command, async () => renderIngestSection(await runIngestBench(common.etcdEndpoint, path.join(workDir, 'ingest-data'), log))));
    }
    if (selected.includes('history')) {
      log('failure history at 1,000,000 events');
      fresh.set('history', await measured(command, async () => renderHistorySection(await runHistoryBench(workDir, log))));
    }

    if (selected.includes('topology')) {
      log('topology map in Chromium');
      fresh.set('topology', await measured(command, async () => renderTopologySection(await runTopologyBench({ etcdEndpoint: common.etcdEndpoint, log }))));
    }

    if (selected.includes('series')) {
      log('persisted latency series at 10,000 series');
      fresh.set('series', await measured(command, async () => renderSeriesSection(await runSeriesBench(workDir, log))));
    }

    if (selected.includes('otlp')) {
      log('OpenTelemetry intake');
      fresh.set('otlp', await measured(command, async () => renderOtlpSection(await runOtlpBench({ ...common, dataDir: path.join(workDir, 'otlp-data'), log }))));
    }

    if (selected.includes('demo')) {
      log('demo start-up');
      fresh.set('demo', await measured(command, async () => renderDemoStartupSection(await runDemoStartup(log))));
    }

    if (selected.includes('replicas')) {
      log('probing divided between replicas');
      fresh.set('replicas', await measured(command, async () => renderReplicasSection(await runReplicasBench({ etcdEndpoint: common.etcdEndpoint, log }))));
    }

    if (selected.includes('probe-day')) {
      log('a day of probe history at 10,000 instances (fake clock)');
      fresh.set('probe-day', await measured(command, async () => renderProbeDaySection(runProbeDay(log))));
    }

    if (selected.includes('scale')) {
      log('100,000 instances, Chromium and 100 viewers');
      fresh.set('scale', await measured(command, async () => renderScaleSection(await runScaleBench({ etcdEndpoint: common.etcdEndpoint, etcdPid: etcd?.pid, log }))));
    }

    const previous = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : undefined;
    writeFileSync(REPORT, mergeReport(previous, renderHeader(machine()), fresh));
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
