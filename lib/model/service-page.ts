import { z } from 'zod';
import { MAX_SEARCH_CHARS } from './filter';

/** Upper bound of `?limit=` on `GET /api/v1/services`. */
export const MAX_SERVICE_PAGE_LIMIT = 1_000;
/** A cursor longer than this is refused before it is decoded (the longest name, 256 UTF-16 units, encodes to 683). */
export const MAX_CURSOR_CHARS = 1_024;
/** The registry's bound on a service name (lib/server/registry/formats/util.ts), in UTF-16 code units. */
const MAX_CURSOR_NAME_UNITS = 256;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The opaque cursor: the last listed service name as UTF-16LE code units in base64url. UTF-16
 * rather than UTF-8 because names decoded from JSON can hold lone surrogates, which UTF-8 would turn
 * into U+FFFD, moving the cursor to another place in the order.
 */
export function encodeServiceCursor(name: string): string {
  let binary = '';
  for (let index = 0; index < name.length; index++) {
    const unit = name.charCodeAt(index);
    binary += String.fromCharCode(unit & 0xff, unit >> 8);
  }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The name a cursor carries, or undefined when it is not one `encodeServiceCursor` could have written. */
export function decodeServiceCursor(cursor: string): string | undefined {
  if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) return undefined;
  let binary: string;
  try {
    binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    return undefined;
  }
  if (binary.length === 0 || binary.length % 2 !== 0 || binary.length / 2 > MAX_CURSOR_NAME_UNITS) return undefined;
  let name = '';
  for (let index = 0; index < binary.length; index += 2) {
    name += String.fromCharCode(binary.charCodeAt(index) | (binary.charCodeAt(index + 1) << 8));
  }
  // Only the canonical spelling: one name, one cursor (no stray padding bits).
  return encodeServiceCursor(name) === cursor ? name : undefined;
}

/**
 * `GET /api/v1/services` paging parameters. Without `limit` the answer is the whole list, as in v1;
 * a cursor only makes sense with a limit. Other parameters are ignored, as they always were.
 */
export const ServicePageQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,4}$/, `limit must be an integer from 1 to ${MAX_SERVICE_PAGE_LIMIT}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_SERVICE_PAGE_LIMIT))
      .optional(),
    cursor: z
      .string()
      .max(MAX_CURSOR_CHARS)
      .transform((cursor, context) => {
        const after = decodeServiceCursor(cursor);
        if (after === undefined) {
          context.issues.push({ code: 'custom', message: 'cursor must be the cursor of a previous page', input: cursor });
          return z.NEVER;
        }
        return after;
      })
      .optional(),
  })
  .superRefine((query, context) => {
    if (query.cursor !== undefined && query.limit === undefined) {
      context.addIssue({ code: 'custom', message: 'cursor needs limit', path: ['cursor'] });
    }
  })
  .transform(({ limit, cursor }) => (limit === undefined ? undefined : { limit, after: cursor }));
/** `GET /api/v1/services?search=`: services whose name, an instance id, address or metadata value contains it (case-insensitive). */
export const ServiceSearchQuerySchema = z.object({ search: z.string().max(MAX_SEARCH_CHARS).optional() });

/** undefined: no paging asked for (the v1 whole list). */
export type ServicePageQuery = z.infer<typeof ServicePageQuerySchema>;

export interface Page<T> {
  items: T[];
  /** The cursor of the page after this one; null when this page reaches the end. */
  nextCursor: string | null;
}

/** The code-unit order `listServices` sorts by: the keyset order of the cursor. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * At most `limit` items after the name `after`, from a list sorted by name (as `listServices`
 * returns it). Keyset paging: the cursor is a name, not a position, so services added or removed
 * before it between two requests neither repeat nor skip anything; a removed cursor name still works.
 */
export function pageByName<T extends { name: string }>(sorted: readonly T[], query: { limit: number; after?: string | undefined }): Page<T> {
  let start = 0;
  if (query.after !== undefined) {
    const after = query.after;
    // Binary search for the first name greater than `after`.
    let high = sorted.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      const item = sorted[middle];
      if (item !== undefined && compareNames(item.name, after) <= 0) start = middle + 1;
      else high = middle;
    }
  }
  const items = sorted.slice(start, start + query.limit);
  const last = items[items.length - 1];
  const more = start + query.limit < sorted.length;
  return { items, nextCursor: more && last ? encodeServiceCursor(last.name) : null };
}
