import net from 'node:net';
import { timeoutCause } from './causes';
import { failed, failedOn, passed, type ProbeOutcome } from './outcome';
import type { HostPort } from './target';

export interface TcpProbeOptions {
  timeoutMs: number;
  /** Resolver for host names (checks every resolved IP against the policy); unset for IP literals. */
  lookup: net.LookupFunction | undefined;
}

/** Passes when a TCP connection opens within the timeout; sends nothing and closes at once. */
export function probeTcp(target: HostPort, options: TcpProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port, ...(options.lookup ? { lookup: options.lookup } : {}) });
    const finish = (outcome: ProbeOutcome): void => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(() => finish(failed(timeoutCause(options.timeoutMs))), options.timeoutMs);
    socket.once('connect', () => finish(passed));
    socket.on('error', (error) => finish(failedOn(error)));
  });
}
