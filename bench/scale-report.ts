import { row, verdict } from './report';
import {
  DEFAULT_PLAN,
  TARGET_FIRST_VIEW_MS,
  TARGET_MESSAGE_BYTES,
  TARGET_P99_MARGIN_MS,
  TARGET_PAINT_MS,
  TARGET_RSS_BYTES,
  TARGET_SYNC_RATIO,
  type ScaleResult,
} from './scale';
import type { PageResult } from './scale-browser';
import { cpuLine, type FanoutResult } from './scale-fanout';
import { formatBytes, formatMs, median, type Summary } from './stats';

const n = (value: number): string => value.toLocaleString('en-US');
const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : formatMs(value));
const PAGE_NAMES: Record<PageResult['kind'], string> = { list: 'services list', map: 'map', service: 'one service page (its instances)' };
const summaryCells = (summary: Summary | null): string[] => (summary ? [summary.p50, summary.p95, summary.p99, summary.max].map(formatMs) : ['—', '—', '—', '—']);

const tally = (problems: [string, number][]): string => (problems.length === 0 ? 'none' : problems.map(([reason, count]) => `${n(count)} × ${reason}`).join(', '));

function fanoutLines(fanout: FanoutResult): string[] {
  const gap = fanout.ours && fanout.raw ? fanout.ours.p99 - fanout.raw.p99 : null;
  const slowestFirstView = fanout.firstView?.max ?? null;
  return [
    row(['measure', 'samples', 'p50', 'p95', 'p99', 'max', 'missing', 'verdict']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    row([
      `${n(fanout.viewers)} viewers connecting at once → first view (ms)`,
      n(fanout.firstView?.count ?? 0),
      ...summaryCells(fanout.firstView),
      n(fanout.firstViewMissing),
      verdict(fanout.firstViewMissing === 0 && slowestFirstView !== null && slowestFirstView <= TARGET_FIRST_VIEW_MS, `slowest ${ms(slowestFirstView)} ms vs every one ≤ ${n(TARGET_FIRST_VIEW_MS)}`),
    ]),
    row([`… of which every byte of it received, in the viewers' processes (ms)`, n(fanout.delivered?.count ?? 0), ...summaryCells(fanout.delivered), '—', 'context']),
    row([`… and decoding it alone with the product's receiver (\`receiveSummary\`, ${n(fanout.servicesSeen[0])}${fanout.servicesSeen[0] === fanout.servicesSeen[1] ? '' : `–${n(fanout.servicesSeen[1])}`} services) (ms)`, n(fanout.decode?.count ?? 0), ...summaryCells(fanout.decode), '—', 'context']),
    row(['put → acknowledged, in the load generator (ms)', n(fanout.ack?.count ?? 0), ...summaryCells(fanout.ack), n(fanout.putErrors), 'context']),
    row(['put → raw etcd watcher (ms)', n(fanout.raw?.count ?? 0), ...summaryCells(fanout.raw), n(fanout.rawMissing), 'baseline']),
    row([
      `put → viewer (ms), ${n(fanout.putsPerSecond)} puts/s × ${fanout.seconds} s`,
      n(fanout.ours?.count ?? 0),
      ...summaryCells(fanout.ours),
      n(fanout.oursMissing),
      verdict(gap !== null && gap <= TARGET_P99_MARGIN_MS && fanout.oursMissing === 0 && fanout.putErrors === 0, `Δ p99 ${ms(gap)} ms vs ≤ ${TARGET_P99_MARGIN_MS}; ${n(fanout.oursMissing)} lost, ${n(fanout.putErrors)} put errors`),
    ]),
    '',
    `Missing (put, viewer) pairs of viewers that never had a first view: ${n(fanout.oursMissingWithoutFirstView)} of ${n(fanout.oursMissing)}. ` +
      `Sockets failed or dropped: ${tally(fanout.problemsAtConnect)} by the end of the first views, ${tally(fanout.problemsAtEnd)} at the end.`,
    `Per viewer: ${formatBytes(fanout.bytesPerViewer)} received by the time every first view was in; largest message ${formatBytes(fanout.largestMessage)}` +
      `${fanout.notUpgraded > 0 ? `; ${n(fanout.notUpgraded)} viewers not on WebSocket` : ''}. Event loop late by up to ${ms(fanout.generatorLoopDelayMaxMs)} ms in the bench's own process and ${ms(fanout.viewerLoopDelayMaxMs)} ms in the busiest viewers' process during the puts` +
      `${fanout.serverLoopDelay ? `; the server's p99 ${ms(fanout.serverLoopDelay.p99Ms)} ms, max ${ms(fanout.serverLoopDelay.maxMs)} ms (its /metrics, 10 ms resolution)` : ''}.`,
    `CPU while the puts lasted (every process shares the machine's cores, so a sum near them means each waited for a CPU): ${cpuLine(fanout.cpuDuringPuts)}; the puts came from ${fanout.generator}.`,
  ];
}

export function renderScaleSection(result: ScaleResult): string {
  const { plan } = result;
  const fanout = 'error' in result.fanout ? undefined : result.fanout;
  const viewers = plan.SCALE_VIEWERS;
  const hot = fanout?.hotServices ?? 4;
  const rawList = median(result.rawListMs);
  const syncPart = result.startToSyncedMs - result.startToSyncedEmptyMs;
  const syncRatio = syncPart / rawList;
  const fullSize = JSON.stringify(plan) === JSON.stringify(DEFAULT_PLAN);
  const largestBrowserMessage = Math.max(0, ...result.pages.map((page) => page.largestSocketMessage));
  const largestMessage = Math.max(largestBrowserMessage, fanout?.largestMessage ?? 0);
  const peak = Math.max(result.peakRss, result.peakRssBeforeFanout);
  const lines = [
    `Protocol measured: **${result.protocol}**.`,
    '',
    fullSize
      ? ''
      : `_Not the issue's size: run with ${Object.entries(plan)
          .filter(([key, value]) => DEFAULT_PLAN[key as keyof typeof DEFAULT_PLAN] !== value)
          .map(([key, value]) => `\`${key}=${value}\``)
          .join(', ')}._\n`,
    `${n(result.load.keys)} instances in ${n(plan.SCALE_SERVICES)} services (\`bench/scale-fleet.ts\`: the topology fixture's services — tiers, domains, declared`,
    'dependencies — each instance registering address, version, zone, metadata and `dependsOn`, JSON, ' +
      `${Math.round(result.load.valueBytes / Math.max(1, result.load.keys))} B a value on average) were written in ${n(result.load.transactions)} etcd transactions of up to 100 puts, 4 at a time, in **${formatMs(result.load.ms)} ms**.`,
    'Then the real server (`server.ts`, production build, probes every 10 min so they do not compete for the CPU, each passing: every address reaches a port this process accepts on, as a healthy fleet answers) started on them;',
    `${result.chromium} (headless, \`--disable-gpu\`, 1440×900, a fresh context per page, signed in) opened three pages; then`,
    `${n(viewers)} Socket.IO viewers in ${Math.min(plan.SCALE_VIEWER_PROCESSES, viewers)} client processes (WebSocket from the start: Node's long-polling client rebuilds its buffer per chunk, 34 s for one 40 MB snapshot, so it would measure itself) opened their sockets at the same`,
    `millisecond, and a load generator (${fanout?.generator ?? 'this process'}) put ${n(plan.SCALE_PUTS_PER_SECOND)} new instances/s for ${plan.SCALE_PUT_SECONDS} s into ${hot} services, each put on its own, viewer *i* showing service *i* mod ${hot}.`,
    '',
    'A smaller run for development: `SCALE_SERVICES`, `SCALE_INSTANCES_PER_SERVICE`, `SCALE_VIEWERS`, `SCALE_VIEWER_PROCESSES`, `SCALE_PUTS_PER_SECOND`, `SCALE_PUT_SECONDS`. See `bench/scale.ts`.',
    '',
    row(['measure', 'value', 'baseline (same run)', 'verdict']),
    row(['---', '---:', '---', '---']),
    row([
      'registry sync: server start → registry synced, minus the same start on an empty registry (the faster of two)',
      `${formatMs(syncPart)} ms`,
      `raw etcd3 \`getAll().prefix('/services/')\` of the same keys: ${formatMs(rawList)} ms median of 3; start → synced: ${n(result.startToSyncedMs)} ms with the fleet, ${n(result.startToSyncedEmptyMs)} ms empty (process, Next, history, auth)`,
      verdict(syncRatio <= TARGET_SYNC_RATIO, `${syncRatio.toFixed(1)}× the raw listing vs ≤ ${TARGET_SYNC_RATIO}× (start → synced whole: ${(result.startToSyncedMs / rawList).toFixed(1)}×)`),
    ]),
    row(['server RSS after sync', formatBytes(result.rssAfterSync), '—', verdict(result.rssAfterSync <= TARGET_RSS_BYTES, `vs ≤ ${formatBytes(TARGET_RSS_BYTES)}`)]),
    row(['server RSS after the three pages', formatBytes(result.rssAfterPages), '—', 'context']),
    row([`server RSS with ${n(viewers)} viewers connected`, result.rssAfterConnect > 0 ? formatBytes(result.rssAfterConnect) : '—', '—', 'context']),
    row([
      'server RSS after the viewers and the puts; peak (VmHWM) over the whole run',
      `${result.rssAfterFanout > 0 ? formatBytes(result.rssAfterFanout) : '— (the server had exited)'}; peak ${formatBytes(peak)}`,
      '—',
      verdict(result.rssAfterFanout > 0 && peak <= TARGET_RSS_BYTES, `peak vs ≤ ${formatBytes(TARGET_RSS_BYTES)}`),
    ]),
    '',
    '**Pages in Chromium.** First useful paint = navigation start → the first animation frame with the content in the DOM (the list\'s first row; the map drawn, its',
    `\`switchyard:topology-drawn\` mark${result.mapLaidOutByServer ? ', with the server\'s layout ready as on any server running for a few seconds' : '; the server had not laid the map out within 120 s'}; the service's instance rows). Bytes from the DevTools protocol: the document (HTML with the first render's inline RSC payload, decoded; on the wire in`,
    'brackets), every other HTTP response on the wire, and the Socket.IO messages until 3 s after the page’s load event (a long-polling response or a WebSocket frame, decoded).',
    '',
    row(['page', 'first useful paint (ms)', 'document (wire)', 'other HTTP (wire)', 'largest Socket.IO message', 'Socket.IO messages / bytes', 'verdict']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const page of result.pages) {
    const paintOk = page.firstUsefulPaintMs !== null && page.firstUsefulPaintMs <= TARGET_PAINT_MS;
    const messageOk = page.largestSocketMessage <= TARGET_MESSAGE_BYTES;
    lines.push(
      row([
        `${PAGE_NAMES[page.kind]} (\`${page.path}\`)`,
        page.firstUsefulPaintMs === null ? `— (${page.error ?? 'not reached'})` : formatMs(page.firstUsefulPaintMs),
        `${formatBytes(page.documentBytes)} (${formatBytes(page.documentWireBytes)})`,
        formatBytes(page.otherWireBytes),
        formatBytes(page.largestSocketMessage),
        `${n(page.socketMessages)} / ${formatBytes(page.socketBytes)}`,
        verdict(paintOk && messageOk, `paint ${ms(page.firstUsefulPaintMs)} ms vs ≤ ${n(TARGET_PAINT_MS)}; largest message ${formatBytes(page.largestSocketMessage)} vs ≤ ${formatBytes(TARGET_MESSAGE_BYTES)}`),
      ]),
    );
  }
  lines.push(
    '',
    `**Fan-out.** First view = the common connect time → the viewer's first view (the summary's snapshot, gzip parts): the last byte of it received in the viewer's process (each part's place read from its first 2 KB, so stamping stays cheap), plus decoding it with the product's receiver, timed alone in that process once every first view is in. Each viewer stands for a tab on its own machine: 25 viewers decoding side by side on the two cores the server also runs on would measure the viewers' processes, not the server. Latency = the put handed to the etcd client (in the load generator) → received (the viewers' process), epoch ms across processes (±1 ms), for every acknowledged put (timed from the issue, not the ack: on a saturated machine the load generator reads acks late, which would flatter both paths); the baseline is a raw etcd3 prefix watcher in each viewers' process, same puts, same clock, same load. Counted per put and viewers' process for raw, per (put, viewer showing the put's service) for ours.`,
    '',
    ...(fanout ? fanoutLines(fanout) : [`**not met** — the fan-out did not finish: ${'error' in result.fanout ? result.fanout.error.split('\n')[0] : ''}`]),
    '',
    `Largest Socket.IO message anywhere in the run: ${formatBytes(largestMessage)} (target: none over ${formatBytes(TARGET_MESSAGE_BYTES)}) — ${largestMessage <= TARGET_MESSAGE_BYTES ? '**met**' : '**not met**'}.`,
  );
  return lines.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n');
}
