import type { AlertView } from '@/lib/model/alerts/engine';

/**
 * What a recently resolved alert's row adds to its description: whether it was ever sent, and why
 * not — held by its origin's alert, silenced, or fired with no receiver configured. Null for one
 * that was sent (the normal case says nothing).
 */
export function resolvedNote(alert: Pick<AlertView, 'endedAs' | 'notified' | 'suppressedBy'>, delivering: boolean): string | null {
  switch (alert.endedAs) {
    case 'suppressed':
      return `suppressed by ${alert.suppressedBy ?? 'its dependency'} (the probable origin), never sent`;
    case 'silenced':
      return 'silenced, never sent';
    case 'firing':
      return delivering ? null : 'fired, never sent: no receiver configured';
    default:
      return alert.notified && delivering ? null : 'never sent';
  }
}

/** A silenced alert's note: the silence rule that holds it, by its reason. */
export function silencedNote(alert: Pick<AlertView, 'silencedBy'>, silences: readonly { id: string; reason: string }[]): string {
  const silence = silences.find((candidate) => candidate.id === alert.silencedBy);
  return silence ? `held by the silence rule “${silence.reason}”` : 'held by a silence rule';
}

/**
 * When a resolved alert's time is: its service's recovery (passing again, the moment its incident
 * ends and its page says it recovered), or the check that found its condition over.
 */
export function resolvedOnNote(alert: Pick<AlertView, 'resolvedOn' | 'labels'>): string | null {
  if (alert.resolvedOn === 'recovery') return `at the recovery of ${alert.labels.service} (passing again)`;
  if (alert.resolvedOn === 'evaluation') return 'when a check found it over';
  return null;
}
