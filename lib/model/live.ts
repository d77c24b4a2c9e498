import { z } from 'zod';
import type { HistoryEvent } from './events';
import type { Instance, Service } from './instance';
import type { ServiceSummary } from './service-summary';

/**
 * Why the registry is `connecting` although etcd answers: it is `catching-up` with what it listed and
 * what the watch sent meanwhile, or `relisting` after a failure of its own (not an etcd outage).
 */
export type RegistryPhase = 'catching-up' | 'relisting';

/** Where the registry's view of etcd stands; drives /readyz and the stale-data banner. */
export interface RegistryStatus {
  state: 'connecting' | 'synced' | 'unreachable';
  /** Set only while `connecting` after a listing; absent while the first listing is under way. */
  phase?: RegistryPhase;
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

/**
 * The whole-fleet stream of DESIGN's contract (`state:snapshot` on connect, `state:delta` after,
 * `state:resume {seq}`), kept for programs written against it. A socket that connects with
 * `auth: VIEWS_HANDSHAKE` (the browser) gets per-view subscriptions instead and nothing unasked.
 */
export const ResumeRequestSchema = z.object({ seq: z.number().int().nonnegative() });
export type ResumeRequest = z.infer<typeof ResumeRequestSchema>;
export const VIEWS_HANDSHAKE = { views: true } as const;

/** The registry's bound on a service name (lib/server/registry/formats/util.ts), in UTF-16 code units. */
export const MAX_VIEW_SERVICE_CHARS = 256;

/** What a socket can subscribe to: the summary of every service, or one service's instances. */
export const ViewSchema = z.discriminatedUnion('view', [
  z.object({ view: z.literal('summary') }),
  z.object({ view: z.literal('service'), service: z.string().min(1).max(MAX_VIEW_SERVICE_CHARS) }),
]);
export type View = z.infer<typeof ViewSchema>;

/** Where the client's copy of a view stands: the last seq it applied for that view, in that server run. */
export const ViewResumeSchema = z.object({ epoch: z.string().max(64), seq: z.number().int().nonnegative() });
export type ViewResume = z.infer<typeof ViewResumeSchema>;

export const SubscribeRequestSchema = z.discriminatedUnion('view', [
  z.object({ view: z.literal('summary'), resume: ViewResumeSchema.optional() }),
  z.object({ view: z.literal('service'), service: z.string().min(1).max(MAX_VIEW_SERVICE_CHARS), resume: ViewResumeSchema.optional() }),
]);
export type SubscribeRequest = z.infer<typeof SubscribeRequestSchema>;
export const UnsubscribeRequestSchema = ViewSchema;
export type UnsubscribeRequest = z.infer<typeof UnsubscribeRequestSchema>;

/**
 * Follow (or stop following) committed history events: every service's, or one service's, of every
 * kind or only the rows its failures are read from (`isFailureListRow`: what a service page's recent failures show).
 */
export const HistoryFollowSchema = z.union([
  z.object({ service: z.string().min(1).max(MAX_VIEW_SERVICE_CHARS), failures: z.literal(true).optional() }).strict(),
  z.object({}).strict(),
]);
export type HistoryFollow = z.infer<typeof HistoryFollowSchema>;

/** The optional acknowledgement of a (un)subscribe: refused requests say why (bad request, too many views, rate). */
export type ViewAck = (result: { ok: true } | { ok: false; error: string }) => void;

/** Every service's summary, in name order. */
export interface SummarySnapshot {
  epoch: string;
  seq: number;
  revision: string;
  registry: RegistryStatus;
  services: ServiceSummary[];
}

/**
 * Summaries that changed in delta `seq` (or, answering a resume, since `prev`). `prev` is the seq of
 * the previous summary message this server run sent: a client whose last applied seq is below it
 * missed one.
 */
export interface SummaryDelta {
  seq: number;
  prev: number;
  revision: string;
  registry?: RegistryStatus;
  upserts: ServiceSummary[];
  /** Services that no longer have any instance. */
  removes: string[];
}

/** One service's instances, in id order (numbers in ids as numbers: lib/model/natural-order.ts). */
export interface ServiceSnapshot {
  epoch: string;
  seq: number;
  revision: string;
  service: string;
  instances: Instance[];
}

/** That service's changes in delta `seq` (or, answering a resume, since `prev`); `prev` as in SummaryDelta. */
export interface ServiceDelta {
  service: string;
  seq: number;
  prev: number;
  revision: string;
  changes: Change[];
}

/**
 * Sent to a socket just before the server disconnects it (docs/ARCHITECTURE "Live updates"). A
 * `slow consumer` left more than `limitBytes` of what it was sent unread; it arrives after that
 * data, so a client sees it only if it reads on within the grace period (the connection is cut after).
 */
export interface LiveClosing {
  reason: 'slow consumer';
  unsentBytes: number;
  limitBytes: number;
  message: string;
}

/** The one Socket.IO event map shared by server, browser and tests. */
export interface ServerToClientEvents {
  'state:snapshot': (snapshot: Snapshot) => void;
  'state:delta': (delta: Delta) => void;
  /** A part of the summary snapshot: gzip-compressed UTF-8 JSON (lib/model/summary-parts.ts). */
  'summary:snapshot': (part: ArrayBuffer | Uint8Array) => void;
  'summary:delta': (delta: SummaryDelta) => void;
  'service:snapshot': (snapshot: ServiceSnapshot) => void;
  'service:delta': (delta: ServiceDelta) => void;
  /** History events as they are committed, oldest first: to a view socket only what it follows (`history:follow`). */
  'history:events': (events: HistoryEvent[]) => void;
  /** Why the server is about to disconnect this socket; a disconnect follows at once. */
  'live:closing': (notice: LiveClosing) => void;
}
export interface ClientToServerEvents {
  'state:resume': (request: ResumeRequest) => void;
  'live:subscribe': (request: SubscribeRequest, ack?: ViewAck) => void;
  'live:unsubscribe': (request: UnsubscribeRequest, ack?: ViewAck) => void;
  'history:follow': (request: HistoryFollow, ack?: ViewAck) => void;
  'history:unfollow': (request: HistoryFollow, ack?: ViewAck) => void;
}
