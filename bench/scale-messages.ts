import { z } from 'zod';

/** IPC between bench/scale.ts and its viewers' processes (bench/scale-viewers-process.ts). */

export const ViewersStartSchema = z.object({
  type: z.literal('start'),
  url: z.string(),
  token: z.string(),
  etcdEndpoint: z.string(),
  /** The etcd prefix the raw watcher in this process watches (the registry's). */
  prefix: z.string(),
  /** One service per viewer of this process: the service page it shows (it also subscribes to the summary). */
  services: z.array(z.string()).min(1).max(100),
  /** How long to wait for every first view before reporting the ones that came. */
  firstViewTimeoutMs: z.number().int().min(1_000).max(300_000),
});

/** Every put the load generator got acknowledged: key, its service, and the epoch ms at which it was issued. */
export const CollectSchema = z.object({
  type: z.literal('collect'),
  acked: z.array(z.tuple([z.string(), z.string(), z.number()])).max(100_000),
  graceMs: z.number().int().min(0).max(60_000),
});

/** Sent once every process is ready: the epoch ms at which every viewer of every process opens its socket, "at the same moment". */
export const ConnectSchema = z.object({ type: z.literal('connect'), connectAt: z.number() });

export const ParentToViewersSchema = z.discriminatedUnion('type', [ViewersStartSchema, ConnectSchema, CollectSchema, z.object({ type: z.literal('stop') })]);
export type ParentToViewers = z.infer<typeof ParentToViewersSchema>;

export const ViewersConnectedSchema = z.object({
  type: z.literal('connected'),
  /**
   * connectAt → the summary's first view, ms, per viewer that got it in time: every byte of it
   * received (`deliveredMs`) plus decoding it alone (`decodeMs`), as a viewer on its own machine.
   */
  firstViewMs: z.array(z.number()),
  /** connectAt → the last part of the first view received, ms, per viewer (same order). */
  deliveredMs: z.array(z.number()),
  /** Decoding that first view with the product's receiver, in this process once the storm is over, ms. */
  decodeMs: z.array(z.number()),
  /** Services in the decoded first views (all equal when every viewer got the whole fleet). */
  servicesSeen: z.array(z.number().int()),
  /** Viewers without a first view within the timeout (or whose connection failed). */
  firstViewMissing: z.number().int(),
  /** Viewers still on long-polling after the wait (their deltas would come by polling). */
  notUpgraded: z.number().int(),
  largestMessage: z.number(),
  bytesPerViewer: z.number(),
  /** Viewers whose socket failed or dropped by then, per reason. */
  problems: z.array(z.tuple([z.string().max(200), z.number().int()])).max(20),
});

export const ViewersCollectedSchema = z.object({
  type: z.literal('collected'),
  /** Put issued → this process's raw etcd watcher saw it, per put. */
  raw: z.array(z.number()),
  /** Put issued → a viewer showing its service received the delta carrying it, per (put, viewer). */
  ours: z.array(z.number()),
  rawMissing: z.number().int(),
  oursMissing: z.number().int(),
  /** Of those, the pairs of viewers that never had their first view. */
  oursMissingWithoutFirstView: z.number().int(),
  /** Viewers whose socket failed or dropped by the end, per reason. */
  problems: z.array(z.tuple([z.string().max(200), z.number().int()])).max(20),
  /** Event-loop delay of this process during the puts: a stall here delays both paths. */
  loopDelayMaxMs: z.number(),
  largestMessage: z.number(),
});

export const ViewersToParentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  ViewersConnectedSchema,
  ViewersCollectedSchema,
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type ViewersToParent = z.infer<typeof ViewersToParentSchema>;
export type ViewersConnected = z.infer<typeof ViewersConnectedSchema>;
export type ViewersCollected = z.infer<typeof ViewersCollectedSchema>;
