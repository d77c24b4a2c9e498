import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEMO_PLAN } from './plan';
import { SCENARIO_NAMES } from './scenarios';

export const USAGE = `Usage: npm run demo -- [options]

  --chaos                 a random fault scenario every ~45 s, each reverted after ~30 s
  --scenario NAME         one scenario (reverted after ~30 s; flapping 100 s, lose-etcd and lose-etcd-all 60 s;
                          latency-spike waits for 5.5 min of baseline first):
                          ${SCENARIO_NAMES.join(', ')}
  --target SERVICE        the service --scenario hits (default: a random one; lose-etcd-all hits every service)
  --rps N                 requests per second entering the fleet (default 10)
  --services N --instances N
                          scale mode: register N instances over N services (no per-instance servers)
  --traffic               scale mode: add light call traffic (tiers of services calling the next) and call statistics
  --help                  this text`;

/** Shared servers back every scale-mode instance; an instance's index picks one, so this bounds per-service instances. */
export const MAX_SCALE_INSTANCES_PER_SERVICE = 256;

export class UsageError extends Error {}

const count = (max: number) => z.coerce.number().int().min(1).max(max);
const serviceNames = DEMO_PLAN.map((service) => service.service);

const Args = z
  .object({
    help: z.boolean().default(false),
    chaos: z.boolean().default(false),
    scenario: z.enum(SCENARIO_NAMES, { error: (issue) => `unknown scenario "${String(issue.input)}"; valid: ${SCENARIO_NAMES.join(', ')}` }).optional(),
    target: z.enum(serviceNames, { error: (issue) => `unknown service "${String(issue.input)}"; valid: ${serviceNames.join(', ')}` }).optional(),
    rps: z.coerce.number().positive().max(1_000).default(10),
    services: count(100_000).optional(),
    instances: count(1_000_000).optional(),
    traffic: z.boolean().default(false),
  })
  .superRefine((args, context) => {
    const problem = (message: string): void => context.addIssue({ code: 'custom', message });
    const scale = args.services !== undefined || args.instances !== undefined;
    if (scale && (args.services === undefined || args.instances === undefined)) problem('--services and --instances go together');
    if (scale && (args.chaos || args.scenario)) problem('--chaos and --scenario need the full demo fleet, not scale mode');
    if (!scale && args.traffic) problem('--traffic belongs to scale mode (--services N --instances N)');
    if (args.target && !args.scenario) problem('--target needs --scenario');
    if (args.target && args.scenario === 'lose-etcd-all') problem('lose-etcd-all hits the whole fleet: no --target');
    if (args.services !== undefined && args.instances !== undefined) {
      if (args.instances < args.services) problem('--instances must be at least --services (every service gets one)');
      if (Math.ceil(args.instances / args.services) > MAX_SCALE_INSTANCES_PER_SERVICE)
        problem(`at most ${MAX_SCALE_INSTANCES_PER_SERVICE} instances per service in scale mode`);
    }
  });

export type DemoOptions =
  | { mode: 'help' }
  | { mode: 'fleet'; chaos: boolean; scenario?: (typeof SCENARIO_NAMES)[number]; target?: string; rps: number }
  | { mode: 'scale'; services: number; instances: number; traffic: boolean; rps: number };

/** Parses `npm run demo -- …`; throws UsageError naming what is wrong. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        chaos: { type: 'boolean' },
        scenario: { type: 'string' },
        target: { type: 'string' },
        rps: { type: 'string' },
        services: { type: 'string' },
        instances: { type: 'string' },
        traffic: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((issue) => (issue.path.length > 0 ? `--${issue.path.join('.')}: ${issue.message}` : issue.message)).join('\n'));
  }
  const args = parsed.data;
  if (args.help) return { mode: 'help' };
  if (args.services !== undefined && args.instances !== undefined) {
    return { mode: 'scale', services: args.services, instances: args.instances, traffic: args.traffic, rps: args.rps };
  }
  return { mode: 'fleet', chaos: args.chaos, scenario: args.scenario, target: args.target, rps: args.rps };
}
