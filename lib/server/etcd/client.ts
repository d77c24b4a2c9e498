import { rootCertificates } from 'node:tls';
import { ConstantBackoff, noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import { readConfiguredFile } from '../config';
import { LISTING_RECEIVE_BYTES } from '../registry/listing';

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
      // Listing pages of small registrations grow past gRPC's 4 MiB default (registry/listing.ts).
      'grpc.max_receive_message_length': LISTING_RECEIVE_BYTES,
    },
  };
  if (connection.username) options.auth = { username: connection.username, password: connection.password ?? '' };
  if (connection.caFile || connection.certFile || connection.keyFile) {
    // A client certificate alone is valid: etcd's certificate is then checked against Node's public roots.
    options.credentials = {
      rootCertificate: connection.caFile ? readConfiguredFile('ETCD_CA_FILE', connection.caFile) : Buffer.from(rootCertificates.join('\n')),
      ...(connection.keyFile ? { privateKey: readConfiguredFile('ETCD_KEY_FILE', connection.keyFile) } : {}),
      ...(connection.certFile ? { certChain: readConfiguredFile('ETCD_CERT_FILE', connection.certFile) } : {}),
    };
  }
  return new Etcd3(options);
}


/** etcd's members with their client and peer URLs (the prober never dials any of them). */
export async function etcdMemberList(client: Etcd3): Promise<{ name: string; clientUrls: string[]; peerUrls: string[] }[]> {
  return (await client.cluster.memberList({})).members.map((member) => ({ name: member.name, clientUrls: member.clientURLs, peerUrls: member.peerURLs }));
}
