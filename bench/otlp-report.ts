import { formatBytes } from './stats';
import { EXPORT_INTERVAL_S, type Endpoint, type OtlpBenchResult, type Phase } from './otlp';
import { row, verdict } from './report';
import type { StageCost } from './otlp-stages';

/** ≤ 25 % of one core for 5,000 instances, and at least half the bare decode endpoint's rate. */
export const TARGET_CPU_SHARE = 0.25;
export const TARGET_RATE_RATIO = 0.5;

const perSecond = (value: number): string => Math.round(value).toLocaleString('en-US');
const percent = (share: number): string => `${(share * 100).toFixed(0)} %`;
const us = (micros: number): string => `${Math.round(micros)} µs`;
const rate = (phase: Phase): number => phase.posts / phase.seconds;

/** The OTLP section without its heading. */
const stageLine = (signal: string, cost: StageCost): string =>
  `${signal}: protobufjs decode alone ${us(cost.bareDecode)}, decode and bounds ${us(cost.decode)}, mapping${signal === 'traces' ? ', span pairing' : ', cumulative → increments'} and the series store ${us(cost.mapAndRecord)}`;

export function renderOtlpSection(result: OtlpBenchResult): string {
  const { shape, ours, baseline } = result;
  const exportsPerInterval = shape.instances * (result.withTraces ? 2 : 1);
  const ratio = rate(ours.saturated) / rate(baseline.saturated);
  const line = (name: string, phases: Endpoint): string =>
    row([
      name,
      percent(phases.paced.cpuShare),
      percent(phases.idleShare),
      `${phases.paced.seconds.toFixed(1)} s`,
      `${perSecond(rate(phases.saturated))}`,
      percent(phases.saturated.cpuShare),
      String(phases.paced.failures + phases.saturated.failures),
    ]);
  return [
    `${shape.instances.toLocaleString('en-US')} instances of ${shape.services.length} registered services, each exporting cumulative metrics every ${EXPORT_INTERVAL_S} s` +
      (result.withTraces ? ` and a batch of ${result.spansPerExport} spans every ${EXPORT_INTERVAL_S} s (${perSecond((shape.instances * result.spansPerExport) / EXPORT_INTERVAL_S)} spans/s in all)` : ' (traces: not measured — `POST /v1/traces` was not on this code yet)') +
      '. Each metrics export is what an otelhttp-instrumented service sends: `http.server.request.duration` (2 statuses) and',
    `\`http.client.request.duration\` to 3 registered callees by \`server.address\` (2 statuses each): ${result.pointsPerExport} histogram points of 16 buckets,`,
    `${formatBytes(result.metricsBytes)} of protobuf${result.withTraces ? `; a trace export is ${formatBytes(result.traceBytes)}` : ''}. Each service registers one instance, so the exporters' \`service.instance.id\`s name no`,
    'registered instance and feed their service\'s series, not series of their own (a fleet of 5,000 registered reporting instances would need more',
    'than the 4,000 call series the store keeps: see docs/ARCHITECTURE.md, "Latency series"). The bodies are serialised by the OpenTelemetry JS SDK\'s own protobuf serialisers',
    '(`@opentelemetry/otlp-transformer`, what the proto exporters post) from real `MeterProvider`s and tracer providers, one per instance.',
    'Each instance\'s first export only starts its streams (a cumulative first point counts nothing), posted back to back; then a round is posted',
    `evenly over ${EXPORT_INTERVAL_S} s — the fleet's real rate, each instance's metrics export followed by its trace batch — twice: the first of those rounds is a warm-up`,
    'left out of the verdicts, the same for both endpoints. On a fresh server it is where the metrics\' call edges first count, so it carries one-off work a',
    'running server has long done: V8 compiling the hot path (on its own threads, counted in the process\'s CPU), the intake\'s streams,',
    'pairing store and series filled for the first time (the first exports, unmeasured too, carry the rest: modules loaded on first use, the call edges\' first appearance, from their spans).',
    `Before each measured phase the receiver is let settle (under ${percent(0.1)} of a core for a second, at most 10 s). The share of a core is the`,
    `receiving process's CPU time (all its threads, from /proc) for the second round over those ${EXPORT_INTERVAL_S} s, what the fleet needs even when the round took longer. Then`,
    `${((shape.intervals - 3) * exportsPerInterval).toLocaleString('en-US')} more exports (both kinds, in order) back to back from ${8} keep-alive clients for throughput. The same`,
    `exports go to the production server (\`POST /v1/metrics\`${result.withTraces ? ' and `/v1/traces`' : ''} ahead of Next: token, body bound, protobufjs decode, bounds, mapping,`,
    `cumulative → increments${result.withTraces ? ', span pairing' : ''}, DDSketch series) and to a bare \`node:http\` endpoint that only decodes them with protobufjs`,
    '(`Type.decode`, no conversion: the floor under any OTLP receiver), each in a process of its own.',
    '',
    row(['endpoint', 'share of a core (metrics + traces)', 'of it, idle', `a round (${EXPORT_INTERVAL_S} s of exports) took`, 'exports/s back to back', 'CPU back to back', 'failures']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    line('Switchyard OTLP intake', ours),
    line('bare protobuf decode endpoint (baseline)', baseline),
    '',
    `${verdict(ours.paced.cpuShare <= TARGET_CPU_SHARE, `${percent(ours.paced.cpuShare)} of one core for ${shape.instances.toLocaleString('en-US')} instances (target ≤ ${percent(TARGET_CPU_SHARE)})`)}; ` +
      `${verdict(ratio >= TARGET_RATE_RATIO, `${ratio.toFixed(2)}× the bare decode endpoint's rate (target ≥ ${TARGET_RATE_RATIO}×)`)}.`,
    `The warm-up round cost the intake ${percent(ours.warmUp.cpuShare)} of a core and the bare endpoint ${percent(baseline.warmUp.cpuShare)}.`,
    `Idle — the settled receiver watched for 5 s with nothing arriving — the intake takes ${percent(ours.idleShare)} of a core (timers, and probes of the ${shape.services.length} registered instances, which`,
    `no one serves here) and the bare endpoint ${percent(baseline.idleShare)}: part of the share, since a fleet's server always has them. (Until 2026-12-06 the round was posted as`,
    `metrics for ${EXPORT_INTERVAL_S} s, then traces for another ${EXPORT_INTERVAL_S} s, and the two shares summed: that counted the idle share twice and the fleet's real mix never.)`,
    `The bare endpoint alone — HTTP and protobufjs decode, nothing else — needs ${percent(baseline.paced.cpuShare)} of a core for the same fleet here, so the share`,
    `target leaves ${percent(Math.max(0, TARGET_CPU_SHARE - baseline.paced.cpuShare))} for everything past decoding; back to back, the bare endpoint spends ${us((baseline.saturated.cpuShare * 1e6) / rate(baseline.saturated))} of CPU`,
    `per export and the intake ${us((ours.saturated.cpuShare * 1e6) / rate(ours.saturated))}.`,
    'Back to back, the bench\'s own 8 clients share the 2 cores with the receiver (and, on this machine, with other work), so',
    'the receiver gets less than a core there; the CPU share at the fleet\'s rate is the figure that answers "what does a fleet cost".',
    `Decoding alone, in one process without HTTP, runs at ${perSecond(result.inProcessDecodePerSecond)} exports/s: HTTP, not protobuf, sets the baseline's ceiling.`,
    '',
    `Where the intake's time goes per export, in the bench process (one thread), each export decoded and then taken as the server does, over two rounds of the same exports: ${stageLine('metrics', result.stages.metrics)}` +
      (result.stages.traces ? `; ${stageLine('traces', result.stages.traces)}.` : '.'),
    `Points refused by the intake during the run: ${ours.rejectedPoints} (\`switchyard_otlp_points_total\` rejected + external_cap).`,
  ].join('\n');
}
