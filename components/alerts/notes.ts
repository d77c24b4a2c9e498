import { statusStillCallsFor } from '@/lib/model/alerts/conditions';
import type { AlertView } from '@/lib/model/alerts/engine';
import { servesOutOfDiscovery, type ServiceSummary } from '@/lib/model/service-summary';
import { STAND_IN_WORDS } from '@/lib/model/status/lost';
import { STATUS_LABELS } from '@/components/ui/StatusBadge';

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

/**
 * Under an alert the last evaluation left whose service is no longer what it needs (the header,
 * live, already counts it otherwise): what the service is now, and that the alerts catch up at the
 * next evaluation. Under one whose service the header counts apart (`servesOutOfDiscovery`: failing
 * only by instances that serve on out of discovery), why it is not among the header's critical.
 * Null while the two agree.
 */
export function statusNowNote(
  alert: Pick<AlertView, 'labels'>,
  summary: Pick<ServiceSummary, 'status' | 'draining' | 'failingOnlyLost' | 'lost' | 'lostServing' | 'heldBack'> | undefined,
): string | null {
  const stands = statusStillCallsFor(alert.labels.alertname, summary);
  const ofItsFailure = alert.labels.alertname === 'ServiceCritical' || alert.labels.alertname === 'InstancesLost';
  if (stands === true && ofItsFailure && summary !== undefined && servesOutOfDiscovery(summary)) {
    return `${alert.labels.service} is counted apart in the header, ${STAND_IN_WORDS.unlisted}: its instances serve on, but callers cannot find them through etcd`;
  }
  if (stands !== false) return null;
  const now = summary === undefined ? 'is no longer registered' : `is ${STATUS_LABELS[summary.status].toLowerCase()} now`;
  return `${alert.labels.service} ${now}: the alerts follow at the next check, within seconds`;
}
