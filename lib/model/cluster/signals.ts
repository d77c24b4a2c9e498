import { z } from 'zod';
import { HistogramSchema, MAX_COUNT, MAX_INTERVAL_SECONDS } from '../ingest';
import { InstanceSchema, LostSchema } from '../instance';

/**
 * What one replica learns that the others must know too, carried between replicas (DESIGN §6,
 * docs/ARCHITECTURE.md "Replicas"). Every replica watches etcd itself; these are the facts etcd
 * does not hold. Validated on arrival like any input: a replica of another version, or anyone who
 * can write to the channel, must not be able to crash or bloat the others.
 */

const name = z.string().min(1).max(256);

/** A probe result, from the replica that owns the instance's probing. */
export const ProbeSignalSchema = z.object({
  key: z.string().min(1).max(4_096),
  result: z.object({
    at: z.iso.datetime(),
    ok: z.boolean(),
    latencyMs: z.number().nonnegative().max(3_600_000),
    error: z.string().max(1_024).optional(),
    detail: z.string().max(1_024).optional(),
    notProbed: z.boolean().optional(),
  }),
});

/** Calls recorded by the replica that received them (ingest or OTLP), already placed on its clock. */
export const CallsSignalSchema = z
  .object({
    from: name.optional(),
    to: name,
    toInstance: name.optional(),
    countsForCallee: z.boolean(),
    startSecond: z.number().min(0).max(1e11),
    intervalSeconds: z.number().min(0.001).max(MAX_INTERVAL_SECONDS),
    count: z.number().int().nonnegative().max(MAX_COUNT),
    errors: z.number().int().nonnegative().max(MAX_COUNT),
    latencyMs: HistogramSchema,
    node: z.object({ name, kind: z.enum(['queue', 'database']) }).optional(),
  })
  .refine((calls) => calls.errors <= calls.count, { message: 'errors must not exceed count', path: ['errors'] });

/** Sessions or tokens revoked on one replica (sign-out, revocation, a user changed): every replica closes their sockets. */
export const SessionsSignalSchema = z.object({ credentialIds: z.array(z.string().min(1).max(128)).min(1).max(1_000) });

/** A replica that has just started asks the others for the losses they hold (it was not watching when they happened). */
export const LostAskSignalSchema = z.object({ ask: z.literal(true) });

/**
 * A loss held by the replica that sends it, with when its key went (ms, on the sender's clock): the
 * answer to `lostAsk`, addressed to the replica that asked (`to`, its replica id); every other
 * replica ignores it (they were watching, and one may have dismissed that loss meanwhile). Without
 * `to` (a replica from before addressed answers, during a rolling upgrade) it is the old broadcast:
 * every replica adopts it, still not a loss it remembers dismissed. Required, an upgraded replica
 * rejected every old replica's answer and adopted none of their losses.
 */
export const LostSignalSchema = z.object({
  to: z.string().min(1).max(256).optional(),
  instance: InstanceSchema.extend({ lost: LostSchema }),
  removedAt: z.number().int().min(0).max(1e14),
});

const revision = z.string().regex(/^\d{1,20}$/);
const dismissal = {
  service: name,
  id: z.string().min(1).max(4_096),
  actor: z.string().min(1).max(256),
};

/**
 * An operator dismissed a loss on the sending replica: every replica drops it too (the leader records
 * it). `at` (ms, the taker's clock) dates the history row; `revision` is the etcd revision of the
 * dismissed loss's key's delete (when the taker's watch saw it), so a loss of the same instance
 * deleted later is not dropped. Both optional: a replica older than them sends neither, and one of
 * them ignores both.
 */
export const LostDismissedSignalSchema = z.object({ ...dismissal, at: z.number().int().min(0).max(1e14).optional(), revision: revision.optional() });

/**
 * A replica whose signal connection was down asks the others for the dismissals they remember: one
 * sent while it was not listening was never heard there (NOTIFY keeps nothing), and the loss stayed
 * shown for its whole retention.
 */
export const LostDismissedAskSignalSchema = z.object({ ask: z.literal(true) });

/**
 * A dismissal told again: a remembered one, the answer to `lostDismissedAsk`, for the replica that
 * asked (`to`) alone; or, without `to`, one its taker tells every replica again after its own
 * connection dropped (the batch being sent then reached no one). A kind of its own: told late, it
 * may meet a later loss of the same instance, which an older replica, knowing no revisions, would
 * drop and record as dismissed; an older replica drops an unknown kind whole.
 */
export const LostDismissedAgainSignalSchema = z.object({ ...dismissal, to: name.optional(), at: z.number().int().min(0).max(1e14), revision: revision.optional() });

export const SIGNAL_SCHEMAS = {
  probe: ProbeSignalSchema,
  calls: CallsSignalSchema,
  sessions: SessionsSignalSchema,
  lostAsk: LostAskSignalSchema,
  lost: LostSignalSchema,
  lostDismissed: LostDismissedSignalSchema,
  lostDismissedAsk: LostDismissedAskSignalSchema,
  lostDismissedAgain: LostDismissedAgainSignalSchema,
} as const;
export type SignalKind = keyof typeof SIGNAL_SCHEMAS;
export type Signal<K extends SignalKind> = z.infer<(typeof SIGNAL_SCHEMAS)[K]>;

/** At most this many items per message; more make several messages. */
export const MAX_SIGNALS_PER_MESSAGE = 1_000;

export const SignalEnvelopeSchema = z.object({
  from: z.string().min(1).max(256),
  kind: z.enum(Object.keys(SIGNAL_SCHEMAS) as [SignalKind, ...SignalKind[]]),
  items: z.array(z.unknown()).max(MAX_SIGNALS_PER_MESSAGE),
});
export type SignalEnvelope = z.infer<typeof SignalEnvelopeSchema>;

export type DecodedSignals = { [K in SignalKind]: { kind: K; from: string; items: Signal<K>[]; rejected: number } }[SignalKind];

/** Parses one message; undefined when it is not a signal envelope at all. Items that fail their schema are counted, not thrown. */
export function decodeSignals(text: string): DecodedSignals | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const envelope = SignalEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return undefined;
  const { kind, from, items } = envelope.data;
  const schema: z.ZodType = SIGNAL_SCHEMAS[kind];
  const accepted: unknown[] = [];
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) accepted.push(parsed.data);
  }
  return { kind, from, items: accepted, rejected: items.length - accepted.length } as DecodedSignals;
}

/**
 * Splits items into envelopes whose JSON stays under `maxBytes` (PostgreSQL's NOTIFY payload must
 * be under 8,000 bytes). An item that alone exceeds it is dropped and counted.
 */
export function packSignals<K extends SignalKind>(from: string, kind: K, items: readonly Signal<K>[], maxBytes: number): { messages: { text: string; items: number }[]; dropped: number } {
  const encoder = new TextEncoder();
  const byteLength = (text: string): number => encoder.encode(text).length;
  const head = `{"from":${JSON.stringify(from)},"kind":${JSON.stringify(kind)},"items":[`;
  const tail = ']}';
  const frame = byteLength(head) + byteLength(tail);
  const messages: { text: string; items: number }[] = [];
  let dropped = 0;
  let parts: string[] = [];
  let size = frame;
  const flush = (): void => {
    if (parts.length > 0) messages.push({ text: `${head}${parts.join(',')}${tail}`, items: parts.length });
    parts = [];
    size = frame;
  };
  for (const item of items) {
    const json = JSON.stringify(item);
    const bytes = byteLength(json);
    if (frame + bytes > maxBytes) {
      dropped += 1;
      continue;
    }
    if (size + bytes + 1 > maxBytes || parts.length >= MAX_SIGNALS_PER_MESSAGE) flush();
    parts.push(json);
    size += bytes + 1;
  }
  flush();
  return { messages, dropped };
}
