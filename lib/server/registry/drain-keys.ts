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

export function parseDrainValue(value: Buffer): Drain | null {
  const parsed = DrainSchema.safeParse(parseJsonSafely(value));
  return parsed.success ? parsed.data : null;
}
