import { readFileSync } from 'node:fs';
import { ConstantBackoff, noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';

export interface EtcdConnection {
  endpoints: string[];
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Unary calls must fail fast while etcd is down so the registry can report it and retry on its own schedule. */
export const UNARY_DEADLINE_MS = 2_000;

/**
 * An etcd3 client tuned to notice outages and come back fast: no per-host circuit breaker
 * (its 5 s half-open delay would hold us down after etcd returns), gRPC reconnect backoff capped
 * at 500 ms, and a short watch backoff (the default waits ~20 s).
 */
export function createEtcdClient(connection: EtcdConnection): Etcd3 {
  const options: IOptions = {
    hosts: connection.endpoints,
    dialTimeout: UNARY_DEADLINE_MS,
    faultHandling: { host: () => noop, global: noop, watchBackoff: new ConstantBackoff(250).next() },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + UNARY_DEADLINE_MS }),
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 500,
      'grpc.keepalive_time_ms': 5_000,
      'grpc.keepalive_timeout_ms': 2_000,
      'grpc.keepalive_permit_without_calls': 1,
    },
  };
  if (connection.username) options.auth = { username: connection.username, password: connection.password ?? '' };
  if (connection.caFile) {
    options.credentials = {
      rootCertificate: readFileSync(connection.caFile),
      ...(connection.keyFile ? { privateKey: readFileSync(connection.keyFile) } : {}),
      ...(connection.certFile ? { certChain: readFileSync(connection.certFile) } : {}),
    };
  }
  return new Etcd3(options);
}
