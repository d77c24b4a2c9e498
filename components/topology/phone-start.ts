import { leadingOrigin, type ProbableOrigin } from '@/lib/model/topology/graph';
import type { FlowInput } from './flow';

/**
 * A phone's map during an outage opens centred on where it starts (the likely origin, else the
 * worst failing service) and moves to a likely origin found later, while that first view stands.
 * Pure: TopologyView keeps the state in a ref and asks it.
 *
 * Each origin is centred on once at most: two origins taking turns as the first (or one coming and
 * going) moved the map at every turn. And never once the view is someone else's: the reader moved
 * it, opened a node or asked for the whole map, or the canvas grew wider than a phone's.
 */
export interface PhoneStart {
  /** The view is still the phone's first one (or the code's move from it to an origin). */
  standing: boolean;
  /** What it has been centred on: the first view's node and every origin moved to since. */
  centred: ReadonlySet<string>;
}

export const NO_PHONE_START: PhoneStart = { standing: false, centred: new Set() };

/** The first view drawn on a phone: centred on `on`, or the whole map (undefined). What was centred on before stays so. */
export const phoneStartOn = (on: string | undefined, before: PhoneStart): PhoneStart => ({
  standing: true,
  centred: on === undefined ? before.centred : new Set([...before.centred, on]),
});

/** The view became someone else's: no origin moves it again. */
export const phoneStartLeft = (start: PhoneStart): PhoneStart => (start.standing ? { standing: false, centred: start.centred } : start);

/** The canvas resized: wider than a phone's (`narrowMaxWidth`), the map is no phone's first view any longer. */
export const phoneStartResized = (start: PhoneStart, width: number, narrowMaxWidth: number): PhoneStart => (width > narrowMaxWidth ? phoneStartLeft(start) : start);

/** The origin to centre on now: the first one, while the first view stands, unless it was centred on before. */
export function originToCentre(start: PhoneStart, firstOrigin: string | undefined): string | undefined {
  return start.standing && firstOrigin !== undefined && !start.centred.has(firstOrigin) ? firstOrigin : undefined;
}

/** After the code centred the first view on `origin`: still standing, and that origin done. */
export const phoneStartCentredOn = (start: PhoneStart, origin: string): PhoneStart => ({ standing: true, centred: new Set([...start.centred, origin]) });

/** The origin a phone's first view centres on: a current one before one that recovered (its callers only clear its errors), as the banner leads with. */
export const originToStartOn = (origins: readonly Pick<ProbableOrigin, 'id' | 'recoveredAt'>[]): string | undefined => leadingOrigin(origins)?.id;

/**
 * The note above a phone's map centred on `id`, said only while it is true (once the service passes
 * and is no origin it would mislead): a current origin, one that recovered (the map opened on a green
 * node needs the why), or a failing service by its status.
 */
export function centredNote(id: string, marks: Pick<FlowInput, 'origins' | 'recoveredOrigins'>, failing: ReadonlySet<string>, status: string | undefined, clock: (iso: string) => string): string | undefined {
  if (marks.origins.has(id)) return `Centred on ${id}, the likely origin.`;
  const recoveredAt = marks.recoveredOrigins?.get(id);
  if (recoveredAt !== undefined) return `Centred on ${id}, which was the likely origin: passing again since ${clock(recoveredAt)}, its callers still clearing its errors.`;
  return failing.has(id) ? `Centred on ${id}, ${status ?? 'failing'}.` : undefined;
}
