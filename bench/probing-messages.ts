import { z } from 'zod';

/** IPC between bench/probing.ts and its two children (probing-targets.ts, probing-host.ts). */

export const TargetsReadySchema = z.object({ type: z.literal('targets-ready'), ports: z.array(z.number().int()) });

/** prober: createProber + health tracker + store; wired: plus the probe latency series, as startRuntime wires it; naive: the baseline. */
export const ProbeModeSchema = z.enum(['prober', 'wired', 'naive']);
export type ProbeMode = z.infer<typeof ProbeModeSchema>;

export const ProbeRunSchema = z.object({
  type: z.literal('run'),
  mode: ProbeModeSchema,
  addresses: z.array(z.string()),
  warmupMs: z.number().int().nonnegative(),
  measureMs: z.number().int().positive(),
});
export type ProbeRun = z.infer<typeof ProbeRunSchema>;

export const ProbeMeasuredSchema = z.object({
  type: z.literal('measured'),
  mode: ProbeModeSchema,
  intervalMs: z.number(),
  timeoutMs: z.number(),
  concurrency: z.number().nullable(),
  wallMs: z.number(),
  /** User + system CPU of the probing process over the measured window. */
  cpuMs: z.number(),
  probes: z.number().int(),
  failed: z.number().int(),
  /** The first few distinct failure causes, for the report. */
  causes: z.array(z.string()),
  /** Prober: actual start − planned start (its `stats()`); the worst of the window's halves. Naive: null. */
  lagP99Ms: z.number().nullable(),
  lagMaxMs: z.number().nullable(),
  /** Prober: probe start → result (its lag is above). Naive: tick → response, its queueing included. */
  resultP50Ms: z.number(),
  resultP99Ms: z.number(),
  loopDelayP99Ms: z.number(),
  loopDelayMaxMs: z.number(),
  rssBytes: z.number(),
});
export type ProbeMeasured = z.infer<typeof ProbeMeasuredSchema>;

export const ChildMessageSchema = z.discriminatedUnion('type', [
  TargetsReadySchema,
  ProbeMeasuredSchema,
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
