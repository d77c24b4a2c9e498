/**
 * A `Retry-After` header (seconds or an HTTP date) as milliseconds from `nowMs`; null when absent
 * or unreadable, so the caller keeps its own pace.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  const text = header?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // Dates name a weekday or month; Date.parse alone would read `1.5` or `-3` as a date too.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
