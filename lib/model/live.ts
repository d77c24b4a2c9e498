import { z } from 'zod';
import type { HistoryEvent } from './events';
import type { Instance, Service } from './instance';

/** Where the registry's view of etcd stands; drives /readyz and the stale-data banner. */
export interface RegistryStatus {
  state: 'connecting' | 'synced' | 'unreachable';
  /** ISO time the state was entered. */
  since: string;
  /** Human-readable cause when not synced, e.g. the etcd error. */
  message?: string;
}

export interface Snapshot {
  /** Identifies one server run: seqs from another run mean nothing, so a resume across a restart gets a snapshot. */
  epoch: string;
  seq: number;
  revision: string;
  registry: RegistryStatus;
  services: Service[];
}

export type Change =
  | { op: 'upsert'; instance: Instance }
  | { op: 'remove'; service: string; key: string };

export interface Delta {
  seq: number;
  revision: string;
  changes: Change[];
  registry?: RegistryStatus;
}

export const ResumeRequestSchema = z.object({ seq: z.number().int().nonnegative() });
export type ResumeRequest = z.infer<typeof ResumeRequestSchema>;

/** The one Socket.IO event map shared by server, browser and tests. */
export interface ServerToClientEvents {
  'state:snapshot': (snapshot: Snapshot) => void;
  'state:delta': (delta: Delta) => void;
  /** History events as they are committed, oldest first. */
  'history:events': (events: HistoryEvent[]) => void;
}
export interface ClientToServerEvents {
  'state:resume': (request: ResumeRequest) => void;
}
