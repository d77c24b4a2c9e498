import { Fragment, memo, useMemo } from 'react';
import type { LastProbe, Lost } from '@/lib/model/instance';
import { WINDOWS, type InstanceLatency, type LatencyWindow } from '@/lib/model/latency';
import { TRAFFIC_WINDOW_SECONDS } from '@/lib/model/status/combine';
import { instanceRecentTraffic } from '@/lib/model/status/recent-traffic';
import { WINDOW_PHRASES } from '../charts/format';
import { sparklineData } from '../charts/series';
import { Sparkline } from '../charts/Sparkline';
import { answeredSinceProbeFailed, latencyFigure, recentCallsText, rowProbe } from './probe-figures';

const BUCKETS = 45;
/**
 * The sparkline's size in a row: 90 × 24 left its figure 42 px beside it in the 140 px Latency
 * column (1280–1599 px), so "p99 243 ms" went under it, and the cell, taller than the row, pressed
 * the line against the row's top border. 48 × 20 leaves a figure of three digits ("probe 101 ms",
 * 84 px) its line beside it there; at 56 a probe's figure took two.
 */
const SPARKLINE_WIDTH = 48;
const SPARKLINE_HEIGHT = 20;

const WHAT = { inbound: 'Inbound p99 latency', probe: 'Probe latency' } as const;

/**
 * Inbound p99 of the instance over the window (probe latency when no caller reports it), and its
 * figure, and what its status weighs: the last 30 s of calls. Each figure names its window: a bare
 * "p99 74 ms" over "p95 246 ms" read as a p99 below its p95. The probe time shown is the row's one
 * probe (probe-figures.ts `rowProbe`; the Probe column gives its result and age, not a second time).
 * A failed probe is never a latency: the figure says "probe failed" and the sparkline marks it in
 * red instead of drawing how fast a refused connect was; but an instance whose calls are still
 * answered since (a hung health check) shows its calls' p99. A lost instance shows no recent calls
 * (calls to a dead process are not reported, so "no errors" beside it was false comfort), nor does a
 * failing one say "no errors".
 */
export const LatencyCell = memo(function LatencyCell({
  latency,
  window,
  instance,
}: {
  latency: InstanceLatency | undefined;
  window: LatencyWindow;
  instance: { lastProbe?: LastProbe | undefined; lost?: Lost | undefined };
}) {
  const { lastProbe, lost } = instance;
  const stepSeconds = WINDOWS[window].stepSeconds;
  const data = useMemo(() => sparklineData(latency, BUCKETS), [latency]);
  const probe = useMemo(() => rowProbe(lastProbe, latency?.probe, stepSeconds), [lastProbe, latency, stepSeconds]);
  const recent = useMemo(() => (latency && !lost ? instanceRecentTraffic(latency, TRAFFIC_WINDOW_SECONDS, stepSeconds) : null), [latency, stepSeconds, lost]);
  if (data.kind === 'none') {
    return (
      <span className="muted" title={latency ? `No latency data in ${WINDOW_PHRASES[window]}` : 'Loading latency…'}>
        —
      </span>
    );
  }
  // Calls still answered since the probe failed: a hung health check, whose calls are a latency to show.
  const answering = answeredSinceProbeFailed(latency, probe);
  const figure = latencyFigure(data.kind, data.latest, probe, lost, answering);
  const recentText = recentCallsText(recent, { lost: lost !== undefined, probeFailing: probe !== null && !probe.ok && !answering });
  const marked = data.failed.includes(true) ? '; failed probes are red marks, not latencies' : '';
  const label = `${WHAT[data.kind]} over ${WINDOW_PHRASES[window]}, ${figure.failed ? figure.text : `latest ${figure.text}`}${marked}`;
  return (
    // Probe-based lines are dashed: nobody reports calls to this instance, Switchyard measured it.
    <span className="latency-cell" data-kind={data.kind} data-failed={figure.failed ? 'true' : undefined}>
      <Sparkline values={data.values} failed={data.failed} label={label} width={SPARKLINE_WIDTH} height={SPARKLINE_HEIGHT} />
      {/* Named: a bare "985 ms" beside "p95 238 ms" read as two answers to one question. */}
      <span className={figure.failed ? 'latency-cell__value latency-cell__value--failed' : 'latency-cell__value'} aria-hidden="true" title={label}>
        {/* Where it must wrap beside the line, the figure keeps with its unit: "p99" over "243 ms", not "p99 243" over "ms". */}
        {(figure.failed ? `✕ ${figure.text}` : figure.text).replace(/ (ms|s)$/, '\u00a0$1')}
      </span>
      {recentText !== null && (
        <span
          className="latency-cell__recent"
          title={`Reported calls to this instance over the last ${TRAFFIC_WINDOW_SECONDS} s: ${recentText}. What its status weighs (a slow service's status names the p95 of all its calls).`}
        >
          {/* Wraps between its parts, never inside one: on one line "30 s: 27 % errors · p95 618 ms" (170 px) was cut in the 120–160 px of the column.
              The "·" begins the part after it, so a line never ends in a dangling dot. */}
          {`${TRAFFIC_WINDOW_SECONDS} s: ${recentText}`.split(' · ').map((part, index) => (
            <Fragment key={part}>
              {index > 0 && ' '}
              <span className="latency-cell__recent-part">{index > 0 ? `· ${part}` : part}</span>
            </Fragment>
          ))}
        </span>
      )}
    </span>
  );
});
