import { formatBytes, formatMs } from './stats';
import { meetsCpu, meetsLag, TARGET_CPU_SHARE, TARGET_LAG_P99_MS, type ProbingResult } from './probing';
import type { ProbeMeasured } from './probing-messages';
import { ms, pct, row, verdict } from './report';

const MODE_NAMES: Record<ProbeMeasured['mode'], string> = {
  prober: 'Switchyard prober (+ health tracker + store)',
  wired: 'the same + probe latency series, as `startRuntime` wires it',
  naive: 'naive `fetch` + `Promise.all` (baseline)',
};

const share = (run: ProbeMeasured): number => run.cpuMs / run.wallMs;
const perSecond = (run: ProbeMeasured): string => (run.probes / (run.wallMs / 1_000)).toFixed(0);
const failures = (run: ProbeMeasured): string =>
  run.failed === 0 ? '0' : `${run.failed.toLocaleString('en-US')} (${run.causes.map((cause) => `“${cause}”`).join(', ')})`;

function proberVerdict(run: ProbeMeasured): string {
  const cpu = verdict(meetsCpu(run), `CPU ${pct(share(run))} vs ≤ ${pct(TARGET_CPU_SHARE)}`);
  const lag = verdict(meetsLag(run), `lag p99 ${ms(run.lagP99Ms ?? Number.NaN)} vs ≤ ${TARGET_LAG_P99_MS} ms`);
  return `${cpu}; ${lag}`;
}

/** §3 without its heading. */
export function renderProbingSection(result: ProbingResult): string {
  const { prober, wired, naive } = result;
  const lines = [
    `${result.instances.toLocaleString('en-US')} instances (native format, \`health.http: /healthz\`), each on a loopback address of its own`,
    '(one `node:http` server behind as many listeners, in a separate process, keeping idle connections open as Go\'s',
    '`net/http` does), registered straight into a store — no etcd. The product\'s prober (`createProber` with store and',
    `health tracker, as \`startRuntime\` wires them; defaults: every ${formatMs(prober.intervalMs / 1_000)} s, ${formatMs(prober.timeoutMs / 1_000)} s timeout,`,
    `${prober.concurrency ?? '—'} in flight, keep-alive agent) runs in a process of its own for ${(result.warmupMs / 1_000).toFixed(0)} s of warm-up (first connections),`,
    `then ${(result.measureMs / 1_000).toFixed(0)} s measured; then again with each result also recorded in the per-instance probe`,
    'latency series (`createMetricsStore().recordProbe`), which `startRuntime` adds. Then, against the same targets and in a',
    'fresh process, the naive baseline:',
    'every interval, `Promise.all` of a `fetch` per target (undici\'s defaults, `AbortSignal.timeout` = the same timeout),',
    'no pacing, no concurrency bound. CPU = `process.cpuUsage()` delta / wall time of the measured window, as a share of',
    'one core. Schedule lag = actual probe start − planned start (the prober\'s `stats()`, worst of the two halves of the',
    'window), including any wait for a free slot; the naive loop starts everything on its tick, and its queueing shows',
    'in its time to result instead (tick → response). Targets: the prober under',
    `${pct(TARGET_CPU_SHARE)} of one core for ${result.instances.toLocaleString('en-US')} instances, schedule lag p99 ≤ ${TARGET_LAG_P99_MS} ms.`,
    '',
    row(['probing', 'CPU (one core)', 'probes/s', 'failed', 'schedule lag p99 / max', 'time to result p50 / p99', 'event-loop delay p99 / max', 'RSS', 'verdict']),
    row(['---', '---:', '---:', '---', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const run of [prober, wired, naive]) {
    lines.push(
      row([
        MODE_NAMES[run.mode],
        pct(share(run)),
        perSecond(run),
        failures(run),
        run.lagP99Ms === null || run.lagMaxMs === null ? '— (all at once)' : `${formatMs(run.lagP99Ms)} / ${formatMs(run.lagMaxMs)}`,
        `${formatMs(run.resultP50Ms)} / ${formatMs(run.resultP99Ms)}`,
        `${formatMs(run.loopDelayP99Ms)} / ${formatMs(run.loopDelayMaxMs)}`,
        formatBytes(run.rssBytes),
        run.mode === 'naive' ? 'baseline' : proberVerdict(run),
      ]),
    );
  }
  const ratio = share(naive) > 0 ? share(prober) / share(naive) : Number.NaN;
  lines.push(
    '',
    `The prober used ${pct(share(prober))} of a core where the naive loop used ${pct(share(naive))} (${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a'}) for the same`,
    `targets; its worst event-loop stall was ${ms(prober.loopDelayMaxMs)} against the naive loop's ${ms(naive.loopDelayMaxMs)}, which fires`,
    `${result.instances.toLocaleString('en-US')} requests in one tick. Recording every result in the probe latency series adds`,
    `${pct(share(wired) - share(prober))} of a core and ${formatBytes(Math.max(0, wired.rssBytes - prober.rssBytes))} of RSS at this scale.`,
  );
  return lines.join('\n');
}
