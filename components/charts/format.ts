import { WINDOWS, type LatencyWindow } from '@/lib/model/latency';

/** "0.42 ms", "3.2 ms", "128 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1_000).toFixed(2))} s`;
}

/** Axis ticks: short, no more precision than the gridlines need. */
export function formatMsTick(ms: number): string {
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(2))} s`;
  return `${Number(ms.toFixed(2))} ms`;
}

/** "0.25 req/s", "12.4 req/s", "1,240 req/s". */
export function formatRps(rps: number): string {
  if (rps === 0) return '0 req/s';
  if (rps < 10) return `${Number(rps.toFixed(2))} req/s`;
  if (rps < 100) return `${Number(rps.toFixed(1))} req/s`;
  return `${Math.round(rps).toLocaleString('en-US')} req/s`;
}

export function formatRpsTick(rps: number): string {
  if (rps >= 1_000) return `${Number((rps / 1_000).toFixed(2))}k`;
  return String(Number(rps.toFixed(2)));
}

/** A fraction (0.0123) as "1.23 %"; tiny non-zero rates never read as 0. */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent === 0) return '0 %';
  if (percent < 0.01) return '< 0.01 %';
  if (percent < 10) return `${Number(percent.toFixed(2))} %`;
  return `${Number(percent.toFixed(1))} %`;
}

export function formatPercentTick(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))} %`;
}

/** "the last 15 minutes", "the last hour", … for sentences. */
export const WINDOW_PHRASES: Record<LatencyWindow, string> = {
  '5m': 'the last 5 minutes',
  '15m': 'the last 15 minutes',
  '1h': 'the last hour',
  '6h': 'the last 6 hours',
  '24h': 'the last 24 hours',
};

/** Gridline spacing per window: 5–8 labelled ticks across the chart. */
const TICK_MS: Record<LatencyWindow, number> = {
  '5m': 60_000,
  '15m': 180_000,
  '1h': 600_000,
  '6h': 3_600_000,
  '24h': 4 * 3_600_000,
};

/** Tick times inside [from, to], on round local-clock boundaries (14:00, 14:10…). */
export function timeTicks(from: number, to: number, window: LatencyWindow): number[] {
  const step = TICK_MS[window];
  const offset = -new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** Axis label in the reader's timezone: "14:03" (seconds are noise at this scale); 0–23 h (hour12: false wrote "24:05" in en-US). */
export function formatTimeTick(t: number): string {
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** Tooltip heading: local time of the slot, to the second for 1 s slots, with the date for day-long windows. */
export function formatSlotTime(t: number, window: LatencyWindow): string {
  const date = new Date(t);
  const seconds = WINDOWS[window].stepSeconds === 1;
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' });
  if (window !== '24h' && window !== '6h') return time;
  return `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

/** "1 s slots" / "1 min slots", for the chart footers. */
export function stepPhrase(stepSeconds: number): string {
  return stepSeconds < 60 ? `${stepSeconds} s` : `${stepSeconds / 60} min`;
}

export interface NiceScale {
  top: number;
  ticks: number[];
}

/**
 * A 0-based axis to a round top in at most `intervals` + 1 steps of 1, 2, 2.5 or 5 × 10ⁿ
 * (0/250/500/750 ms, 0/1/2/3 %), so gridlines land on numbers people read at a glance.
 */
export function niceScale(max: number, floor: number, intervals = 4): NiceScale {
  const target = Math.max(max, floor);
  const raw = target / (intervals + 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * magnitude;
  const count = Math.ceil(target / step - 1e-9);
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { top: ticks[ticks.length - 1] ?? target, ticks };
}

/** Largest finite value, or 0. */
export function maxOf(values: Iterable<number | null | undefined>): number {
  let max = 0;
  for (const value of values) if (typeof value === 'number' && value > max) max = value;
  return max;
}
