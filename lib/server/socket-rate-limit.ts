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
