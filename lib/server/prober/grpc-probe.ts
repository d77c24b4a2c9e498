import net from 'node:net';
import path from 'node:path';
import { Client, credentials, Metadata, status as GrpcStatus, type ChannelOptions, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { z } from 'zod';
import { cleanText, timeoutCause } from './causes';
import { failed, failedOn, passed, type ProbeOutcome } from './outcome';
import type { ProbePolicy } from './policy';
import type { HostPort } from './target';

const HEALTH_PROTO = path.join(import.meta.dirname, 'health.proto');
const CHECK = 'grpc.health.v1.Health';

const CheckResponse = z.object({ status: z.string() });
type CheckMethod = MethodDefinition<{ service: string }, unknown>;

let checkMethod: CheckMethod | undefined;
function loadCheck(): CheckMethod {
  if (checkMethod) return checkMethod;
  const service = loadSync(HEALTH_PROTO, { keepCase: true, enums: String, defaults: true })[CHECK];
  const check = service && !('format' in service) ? service.Check : undefined;
  if (!check) throw new Error(`${HEALTH_PROTO} defines no ${CHECK}/Check`);
  return (checkMethod = check as CheckMethod);
}

const CHANNEL_OPTIONS: ChannelOptions = {
  // A health answer is a few bytes; anything bigger is hostile.
  'grpc.max_receive_message_length': 4 * 1024,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
  // Closing a channel then really closes its connection.
  'grpc.use_local_subchannel_pool': 1,
  'grpc.service_config_disable_resolution': 1,
};

export interface GrpcProbeOptions {
  timeoutMs: number;
  policy: ProbePolicy;
  /** A channel unused this long is closed (an instance that went away). */
  idleMs: number;
}

export interface GrpcProbe {
  probe(target: HostPort): Promise<ProbeOutcome>;
  /** Channels currently open (one per probed gRPC address). */
  channels(): number;
  close(): void;
}

function errorCause(error: ServiceError, timeoutMs: number): string {
  if (error.code === GrpcStatus.DEADLINE_EXCEEDED) return timeoutCause(timeoutMs);
  if (error.code === GrpcStatus.UNIMPLEMENTED) return `gRPC UNIMPLEMENTED (no ${CHECK} service)`;
  const details = cleanText(error.details ?? '');
  if (error.code === GrpcStatus.UNAVAILABLE) {
    if (/ECONNREFUSED/.test(details)) return 'connection refused';
    if (/ECONNRESET|EPIPE/.test(details)) return 'connection reset';
  }
  return `gRPC ${GrpcStatus[error.code] ?? error.code}${details ? `: ${details.slice(0, 200)}` : ''}`;
}

const withDeadline = <T>(promise: Promise<T>, deadline: number, timeoutMs: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(timeoutCause(timeoutMs))), Math.max(0, deadline - Date.now()));
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

/**
 * `grpc.health.v1.Health/Check` with service "" (the whole server), over one cached channel per
 * address. The host is resolved by the policy first (grpc-js has no lookup hook) and the channel
 * dials that IP, so a rebinding DNS answer cannot redirect it. A channel that failed is closed:
 * the next probe dials afresh instead of waiting out grpc-js' reconnect backoff.
 */
export function createGrpcProbe(options: GrpcProbeOptions): GrpcProbe {
  const channels = new Map<string, { client: Client; lastUsed: number }>();
  let lastSweep = Date.now();

  const drop = (key: string): void => {
    channels.get(key)?.client.close();
    channels.delete(key);
  };
  const sweep = (now: number): void => {
    if (now - lastSweep < options.idleMs) return;
    lastSweep = now;
    for (const [key, channel] of channels) if (now - channel.lastUsed > options.idleMs) drop(key);
  };
  const channelFor = (ip: string, target: HostPort): { key: string; client: Client } => {
    const key = net.isIPv6(ip) ? `ipv6:[${ip}]:${target.port}` : `ipv4:${ip}:${target.port}`;
    let channel = channels.get(key);
    if (!channel) {
      const authority = net.isIP(target.host) ? {} : { 'grpc.default_authority': target.address };
      channel = { client: new Client(key, credentials.createInsecure(), { ...CHANNEL_OPTIONS, ...authority }), lastUsed: 0 };
      channels.set(key, channel);
    }
    channel.lastUsed = Date.now();
    return { key, client: channel.client };
  };

  return {
    async probe(target) {
      const deadline = Date.now() + options.timeoutMs;
      sweep(Date.now());
      let ip: string;
      try {
        ip = await withDeadline(options.policy.resolve(target.host, target.port), deadline, options.timeoutMs);
      } catch (error) {
        return failedOn(error);
      }
      const check = loadCheck();
      const { key, client } = channelFor(ip, target);
      return new Promise((resolve) => {
        client.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, { service: '' }, new Metadata(), { deadline }, (error, response) => {
          if (error) {
            drop(key);
            resolve(failed(errorCause(error, options.timeoutMs)));
            return;
          }
          const answer = CheckResponse.safeParse(response);
          resolve(answer.success && answer.data.status === 'SERVING' ? passed : failed(`gRPC ${answer.success ? answer.data.status : 'invalid health response'}`));
        });
      });
    },
    channels: () => channels.size,
    close() {
      for (const key of [...channels.keys()]) drop(key);
    },
  };
}
