import { z } from 'zod';

/**
 * A series' key in the store: its kind and names joined by NUL, which no name can hold on the
 * wire. PostgreSQL `text` refuses NUL, so the persisted form is the JSON array of the parts.
 */
const SEP = '\u0000';
export const SERIES_KINDS = { svc: 1, ins: 2, edg: 2, prb: 1 } as const;
type SeriesKind = keyof typeof SERIES_KINDS;

export const serviceKey = (service: string): string => `svc${SEP}${service}`;
export const instanceKey = (service: string, id: string): string => `ins${SEP}${service}${SEP}${id}`;
export const edgeKey = (from: string, to: string): string => `edg${SEP}${from}${SEP}${to}`;
export const probeKey = (key: string): string => `prb${SEP}${key}`;
export const isEdgeKey = (key: string): boolean => key.startsWith(`edg${SEP}`);
export const isProbeKey = (key: string): boolean => key.startsWith(`prb${SEP}`);
/** The names after the kind: `[service]`, `[service, id]`, `[from, to]` or `[key]`. */
export const keyNames = (key: string): string[] => key.split(SEP).slice(1);

/** The persisted form of a store key. */
export const seriesKeyText = (key: string): string => JSON.stringify(key.split(SEP));

const PersistedKeySchema = z.array(z.string().max(4_096)).min(2).max(3);

/** A store key from its persisted form; undefined for anything that is not one (a row written by something else). */
export function seriesKeyFromText(text: string): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = PersistedKeySchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const [kind, ...names] = parsed.data;
  if (kind === undefined || !Object.hasOwn(SERIES_KINDS, kind) || SERIES_KINDS[kind as SeriesKind] !== names.length) return undefined;
  return parsed.data.join(SEP);
}
