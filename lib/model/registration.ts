import type { Format, HealthCheck, Lost } from './instance';

/**
 * What a decoder extracts from one etcd key/value: the registration as the service wrote it,
 * before Switchyard adds status, drain and lease facts.
 */
export interface Registration {
  service: string;
  id: string;
  address: string;
  format: Format;
  version?: string;
  zone?: string;
  weight?: number;
  /** Always string→string; built with a null prototype-free copy, never from raw JSON objects. */
  metadata: Record<string, string>;
  health?: HealthCheck;
  dependsOn?: string[];
  /** rpcx `state=inactive`, dubbo `Enable:false`: the framework itself says the instance is out. */
  offline?: boolean;
  /** The key has no lease: it cannot expire, so a crashed instance stays listed until someone deletes it. */
  unleased?: boolean;
  /** Set only on the stand-in that `lib/server/lost` keeps in the store for a lost instance; decoders never set it. */
  lost?: Lost;
}

/** A key/value as read from etcd, with the facts decoders may use. */
export interface RawEntry {
  key: string;
  value: Buffer;
  /** Lease id in decimal, or undefined when the key has no lease. */
  lease: string | undefined;
}
