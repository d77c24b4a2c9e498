import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '@/lib/model/health-state';
import { deniedError } from './causes';
import { createGrpcProbe } from './grpc-probe';
import { probeHttp } from './http-probe';
import { failed, notProbed, type ProbeOutcome } from './outcome';
import type { ProbePolicy } from './policy';
import { probeTcp } from './tcp-probe';
import type { ProbeTarget } from './target';

export interface ProbeRunnerOptions {
  timeoutMs: number;
  intervalMs: number;
  policy: ProbePolicy;
}

export interface ProbeRunner {
  probe(target: ProbeTarget): Promise<ProbeResult>;
  /** Aborts in-flight probes and closes pooled connections. */
  close(): void;
}

/** Dispatches a target to its probe, applying the policy first: a denied target is never dialled. */
export function createProbeRunner(options: ProbeRunnerOptions): ProbeRunner {
  const { timeoutMs, policy } = options;
  // One socket per target at a time is the norm; two lets instances that share an address overlap.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2, maxFreeSockets: 2, timeout: options.intervalMs * 3 });
  const grpc = createGrpcProbe({ timeoutMs, policy, idleMs: options.intervalMs * 3 });

  const outcomeOf = (target: ProbeTarget): Promise<ProbeOutcome> => {
    if (target.kind === 'invalid') return Promise.resolve(failed(target.reason));
    const denial = policy.hostDenial(target.host, target.port);
    if (denial) return Promise.resolve(notProbed(deniedError(denial).message));
    const lookup = net.isIP(target.host) ? undefined : policy.lookupFor(target.port);
    if (target.kind === 'http') return probeHttp(target, { agent, timeoutMs, lookup });
    if (target.kind === 'grpc') return grpc.probe(target);
    return probeTcp(target, { timeoutMs, lookup });
  };

  return {
    async probe(target) {
      const at = new Date().toISOString();
      const started = performance.now();
      const outcome = await outcomeOf(target);
      return { at, latencyMs: Math.round((performance.now() - started) * 10) / 10, ...outcome };
    },
    close() {
      agent.destroy();
      grpc.close();
    },
  };
}
