import { z } from 'zod';

/** Chart windows and the slot size that serves each (≤ 1,440 points, so nothing is downsampled). */
export const WINDOWS = {
  '5m': { seconds: 300, stepSeconds: 1 },
  '15m': { seconds: 900, stepSeconds: 1 },
  '1h': { seconds: 3_600, stepSeconds: 60 },
  '6h': { seconds: 21_600, stepSeconds: 60 },
  '24h': { seconds: 86_400, stepSeconds: 60 },
} as const;
export const WindowSchema = z.enum(['5m', '15m', '1h', '6h', '24h']);
export type LatencyWindow = z.infer<typeof WindowSchema>;

/** One chart point (DESIGN §4). Latency fields are null when the slot saw no calls. */
export interface LatencyPoint {
  /** Slot start, ms since the epoch. */
  t: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  rps: number;
  errorRate: number | null;
}

export interface LatencySeries {
  window: LatencyWindow;
  stepSeconds: number;
  points: LatencyPoint[];
}

/** Calls reported over a recent window: totals, and the p95 of all of them together (null without calls). */
export interface RecentCalls {
  calls: number;
  errors: number;
  p95Ms: number | null;
}

export interface InstanceLatency {
  id: string;
  key: string;
  /** Calls other services made to this instance (needs `toInstance` in ingest). */
  inbound: LatencyPoint[];
  /** Active probe latency. */
  probe: LatencyPoint[];
  /** Its calls over the last 30 s, figured exactly as its status weighs them. */
  recent?: RecentCalls;
}

/** The window an edge's rate and errors are over (seconds): the map's "last minute". */
export const EDGE_WINDOW_SECONDS = 60;

/** Edge summary over the last minute, for the topology map. */
export interface EdgeStats {
  from: string;
  to: string;
  rps: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** The edge's usual p95: the median of its per-minute p95 over the last hour; null or absent when unknown. */
  baselineP95Ms?: number | null;
  /** The kind of an end that is not a registered service, when the calls said it (OTLP messaging and database spans). */
  fromKind?: ObservedNodeKind;
  toKind?: ObservedNodeKind;
  /**
   * Its errors are over, though still in the minute: its last 10 s of calls were clean, or it had
   * no calls for 30 s (`quiet`), when an instance's error verdict would have ended too.
   */
  recovered?: boolean;
  /**
   * Its calls and failed calls over the last 30 s (the window an instance's status weighs), up to
   * where the minute ends; present when the minute had errors. Early in an outage the minute still
   * holds the calls that succeeded before it (orders → payments read 20 % while payments was down);
   * the map labels an edge with these when they are worse (`edgeErrors`).
   */
  recentCalls?: number;
  recentErrors?: number;
  /** Recovered because its calls stopped: none for 30 s, up to where its reports are judged (a reporter's next report still due is not silence). */
  quiet?: boolean;
}

/** What an observed node outside the registry is, when the calls to it said so (OTLP messaging and database spans). */
export type ObservedNodeKind = 'queue' | 'database';
