/** Values larger than this are not parsed: registrations are small, and a 1 MB blob must not stall the loop. */
export const MAX_JSON_BYTES = 64 * 1024;

/** JSON.parse that never throws and refuses oversized input; returns undefined when it is not JSON. */
export function parseJsonSafely(value: Buffer): unknown {
  if (value.length === 0 || value.length > MAX_JSON_BYTES) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}
