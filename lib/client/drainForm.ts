import { MAX_DRAIN_TTL_SECONDS, MAX_REASON, type DrainState } from '@/lib/model/drain';
import type { Instance } from '@/lib/model/instance';

/** Pure pieces of the drain dialog: durations and what a bulk drain would do. */

export { MAX_REASON };

/** The server's floor for a timed drain (DrainRequestSchema). */
export const MIN_TTL_SECONDS = 10;

export const DURATION_PRESETS = [
  { id: '15m', label: '15 min', seconds: 15 * 60 },
  { id: '1h', label: '1 h', seconds: 3_600 },
  { id: 'lifted', label: 'Until lifted', seconds: undefined },
] as const;
export type DurationChoice = (typeof DURATION_PRESETS)[number]['id'] | 'custom';

export const CUSTOM_UNITS = [
  { id: 'min', label: 'minutes', seconds: 60 },
  { id: 'h', label: 'hours', seconds: 3_600 },
  { id: 'd', label: 'days', seconds: 86_400 },
] as const;
export type CustomUnit = (typeof CUSTOM_UNITS)[number]['id'];

/** `ttlSeconds` for the request: a number, `undefined` for "until lifted", or why the custom value is wrong. */
export function ttlFrom(choice: DurationChoice, customAmount: string, customUnit: CustomUnit): { ok: true; ttlSeconds: number | undefined } | { ok: false; message: string } {
  if (choice !== 'custom') return { ok: true, ttlSeconds: DURATION_PRESETS.find((p) => p.id === choice)?.seconds };
  const unit = CUSTOM_UNITS.find((u) => u.id === customUnit) ?? CUSTOM_UNITS[0];
  const amount = Number(customAmount.trim().replace(',', '.'));
  if (customAmount.trim() === '' || !Number.isFinite(amount) || amount <= 0) return { ok: false, message: 'Enter a duration greater than zero' };
  const seconds = Math.round(amount * unit.seconds);
  if (seconds < MIN_TTL_SECONDS) return { ok: false, message: `A timed drain lasts at least ${MIN_TTL_SECONDS} seconds` };
  if (seconds > MAX_DRAIN_TTL_SECONDS) return { ok: false, message: `At most ${MAX_DRAIN_TTL_SECONDS / 86_400} days; a longer drain should be a decommission` };
  return { ok: true, ttlSeconds: seconds };
}

/** "15 min", "1 h", "2 h 30 min", "3 d" — how long a drain lasts, for the dialog's summary. */
export function describeSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.round((seconds % 3_600) / 60);
  return [days ? `${days} d` : '', hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' ') || `${seconds} s`;
}

/** A drained instance whose monitor has not reported yet is still draining. */
export const drainStateOf = (instance: Pick<Instance, 'drain' | 'drainState'>): DrainState | null =>
  instance.drain === null ? null : (instance.drainState ?? 'draining');

export const DRAIN_STATE_LABELS: Record<DrainState, string> = {
  draining: 'Draining',
  drained: 'Drained',
  'no-traffic-data': 'Drained — no traffic data',
};

export const DRAIN_STATE_EXPLANATIONS: Record<DrainState, string> = {
  draining: 'Out of rotation, but callers still report calls to it. It shows Drained once reported calls have stopped for the quiet period.',
  drained: 'Out of rotation, and no caller has reported a call to it for the quiet period: safe to restart.',
  'no-traffic-data':
    'Out of rotation, but no caller reports calls to this instance (POST /api/v1/ingest/calls), so Switchyard cannot tell whether its traffic has stopped. Check the instance itself before restarting it.',
};

/** Passing instances still in rotation once `leaving` are drained — the guard the server applies (lib/server/drain.ts). */
export function passingLeft(instances: readonly Instance[], leaving: ReadonlySet<string>): number {
  return instances.filter((i) => i.drain === null && i.status === 'passing' && !leaving.has(i.key)).length;
}

/** Whether the server will refuse this set without `force`: it drains a passing instance and leaves none passing. */
export function guardRefuses(instances: readonly Instance[], targets: readonly Instance[]): boolean {
  const leaving = new Set(targets.map((t) => t.key));
  return targets.some((t) => t.status === 'passing') && passingLeft(instances, leaving) === 0;
}

export type BulkField = 'zone' | 'version';

/** The distinct zones or versions of a service with how many instances have each, in name order. */
export function bulkValues(instances: readonly Instance[], field: BulkField): { value: string; total: number; undrained: number }[] {
  const counts = new Map<string, { total: number; undrained: number }>();
  for (const instance of instances) {
    const value = instance[field];
    if (value === undefined) continue;
    const count = counts.get(value) ?? { total: 0, undrained: 0 };
    count.total += 1;
    if (instance.drain === null) count.undrained += 1;
    counts.set(value, count);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, count]) => ({ value, ...count }));
}

export interface BulkPreview {
  /** Undrained instances with that zone/version: the ones the request will drain. */
  targets: Instance[];
  /** Instances with that zone/version that are drained already (the server leaves them alone). */
  alreadyDrained: Instance[];
  /** Passing instances left in rotation afterwards. */
  passingAfter: number;
  guardRefuses: boolean;
}

export function bulkPreview(instances: readonly Instance[], field: BulkField, value: string): BulkPreview {
  const matching = instances.filter((i) => i[field] === value);
  const targets = matching.filter((i) => i.drain === null);
  return {
    targets,
    alreadyDrained: matching.filter((i) => i.drain !== null),
    passingAfter: passingLeft(instances, new Set(targets.map((t) => t.key))),
    guardRefuses: guardRefuses(instances, targets),
  };
}
