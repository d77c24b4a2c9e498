import type { z } from 'zod';
import type { ViewAck } from '@/lib/model/live';

/**
 * A fixed one-second window per socket: true while the socket has asked at most `perSecond`
 * times in the current second. Client messages on the live sockets are rare by design; more is a
 * bug or abuse.
 */
export function createSocketRateLimit(perSecond: number, now: () => number): () => boolean {
  let windowStart = 0;
  let count = 0;
  return () => {
    const at = now();
    if (at - windowStart > 1_000) {
      windowStart = at;
      count = 0;
    }
    count += 1;
    return count <= perSecond;
  };
}

export const acknowledge = (ack: unknown): ViewAck | undefined => (typeof ack === 'function' ? (ack as ViewAck) : undefined);

/**
 * One socket's guard for its requests: rate, then shape. A request past either is refused through
 * its acknowledgement (undefined is returned), never thrown.
 */
export function createRequestGuard(perSecond: number, now: () => number): <T>(schema: z.ZodType<T>, request: unknown, reply: ViewAck | undefined) => T | undefined {
  const allowed = createSocketRateLimit(perSecond, now);
  return (schema, request, reply) => {
    if (!allowed()) return void reply?.({ ok: false, error: 'too many requests' });
    const parsed = schema.safeParse(request);
    if (!parsed.success) return void reply?.({ ok: false, error: 'invalid request' });
    return parsed.data;
  };
}
