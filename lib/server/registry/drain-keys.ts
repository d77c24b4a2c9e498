import { DrainSchema, type Drain } from '@/lib/model/instance';
import { parseJsonSafely } from './json';

/**
 * Drain keys are `<control>drain/<service>/<instance-id>` with each segment percent-encoded
 * (encodeURIComponent), so names containing `/` stay unambiguous; plain names read unchanged.
 */
export function drainEtcdKey(controlPrefix: string, service: string, id: string): string {
  return `${controlPrefix}drain/${encodeURIComponent(service)}/${encodeURIComponent(id)}`;
}

export function parseDrainKey(controlPrefix: string, key: string): { service: string; id: string } | null {
  const base = `${controlPrefix}drain/`;
  if (!key.startsWith(base)) return null;
  const rest = key.slice(base.length);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  try {
    return { service: decodeURIComponent(rest.slice(0, slash)), id: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    return null;
  }
}

/** Anyone with etcd access can write a drain key: its texts are clipped like registration fields. */
const MAX_DRAIN_BY_CHARS = 256;
const MAX_DRAIN_REASON_CHARS = 1024;
/** Room for any ISO timestamp; longer is not a time. */
const MAX_TIME_CHARS = 64;
/** Year 9999: a later "time" is not one, and could not be stored as history's milliseconds. */
const LATEST_TIME_MS = 253_402_300_799_999;

/** `text` if it is a time (clipped first, as stored), else undefined. */
function timeText(text: string): string | undefined {
  const clipped = text.slice(0, MAX_TIME_CHARS);
  const ms = Date.parse(clipped);
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_TIME_MS ? clipped : undefined;
}

/**
 * A drain value as written into etcd, or null if it is not one. Its times become history's event
 * times, so a drain whose `at` is not a time is still a drain, dated when it was seen (`seenAt`);
 * an `until` that is not a time is left out.
 */
export function parseDrainValue(value: Buffer, seenAt: () => Date = () => new Date()): Drain | null {
  const parsed = DrainSchema.safeParse(parseJsonSafely(value));
  if (!parsed.success) return null;
  const { by, reason, at, until } = parsed.data;
  const untilText = until === undefined ? undefined : timeText(until);
  return {
    by: by.slice(0, MAX_DRAIN_BY_CHARS),
    reason: reason.slice(0, MAX_DRAIN_REASON_CHARS),
    at: timeText(at) ?? seenAt().toISOString(),
    ...(untilText !== undefined ? { until: untilText } : {}),
  };
}
