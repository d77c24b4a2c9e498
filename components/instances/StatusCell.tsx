import { memo, type SyntheticEvent } from 'react';
import type { Instance } from '@/lib/model/instance';
import { formatAgo, formatClockNear, localizeUtcClocks } from '@/lib/client/formatTime';
import { useInBrowser, useLocalTimes } from '@/lib/client/useLocalTimes';
import { causeAfterStandInTag, standInKind, standInTag, standInTitle } from '@/lib/model/status/lost';
import { flappingUntilMs } from '@/lib/model/status/flapping';
import { utcClock } from '@/lib/model/status/clock';
import { StatusBadge } from '../ui/StatusBadge';
import { FlappingMark } from '../ui/FlappingMark';
import { serverNow } from '@/lib/client/serverClock';
import { useBefore } from '@/lib/client/useBefore';

type StatusFacts = Pick<Instance, 'status' | 'statusCause' | 'statusSince' | 'offline' | 'lastProbe' | 'lost' | 'criticalChangesMs'>;

/** "HTTP 503 — since 14:03:12 (5 min ago)" at the moment it is read. */
export function statusTitle(instance: StatusFacts, now: number): string {
  const lines: string[] = [];
  const since = instance.statusSince ? ` — since ${formatClockNear(instance.statusSince, now)} (${formatAgo(instance.statusSince, now)})` : '';
  lines.push(`${instance.statusCause !== undefined ? localizeUtcClocks(instance.statusCause, now) : instance.status}${since}`);
  if (instance.offline) lines.push('Offline: the framework marks this instance out of rotation');
  return lines.join('\n');
}

/**
 * "Its changes into and out of critical: 10:00:00 UTC, 10:01:10 UTC and 10:02:20 UTC." — the row's
 * own, so its mark's title is true of every flapping row: the page's note names only the first few
 * (FLAP_NAMED) and counts the rest.
 */
function flapChangesText(changesMs: readonly number[]): string {
  const clocks = [...changesMs].sort((a, b) => a - b).map((ms) => utcClock(new Date(ms).toISOString()));
  const last = clocks.pop() ?? '';
  return `Its changes into and out of critical: ${clocks.length > 0 ? `${clocks.join(', ')} and ` : ''}${last}.`;
}

/**
 * The badge and, unless passing, why ("HTTP 503", "timeout after 2 s"); since when is in the
 * tooltip, computed when hovered or focused so the relative time is fresh without a ticking clock.
 * A flapping instance is marked so until its flap ends (`flappingUntilMs`, one timer): between its
 * failures its badge is a green "Passing" that does not hold.
 */
export const StatusCell = memo(function StatusCell({ instance }: { instance: StatusFacts }) {
  const inBrowser = useInBrowser();
  const local = useLocalTimes();
  const flapping = useBefore(flappingUntilMs(instance.criticalChangesMs) ?? null);
  const refreshTitle = (event: SyntheticEvent<HTMLElement>) => {
    event.currentTarget.title = statusTitle(instance, serverNow());
  };
  const showCause = instance.statusCause !== undefined && instance.status !== 'passing';
  return (
    <span className={`status-cell${instance.lost ? ' status-cell--stand-in' : ''}${flapping ? ' status-cell--flapping' : ''}`} onPointerEnter={refreshTitle} onFocus={refreshTitle}>
      <StatusBadge status={instance.status} />
      {instance.lost && (
        // The map's words (`STAND_IN_WORDS`), short before the cause: "lost", "out of discovery", "checking".
        <span className={`tag tag--${standInKind(instance.lost)}`} title={standInTitle(standInKind(instance.lost))}>
          {standInTag(standInKind(instance.lost))}
        </span>
      )}
      {flapping && <FlappingMark more={local(flapChangesText(instance.criticalChangesMs ?? []), instance.criticalChangesMs?.at(-1))} />}
      {instance.offline && (
        <span className="tag" title="The framework marks this instance out of rotation">
          offline
        </span>
      )}
      {showCause && <span className="status-cell__cause">{local(causeAfterStandInTag(instance) ?? '', instance.statusSince)}</span>}
      {inBrowser && instance.statusSince && <span className="visually-hidden">, since {formatClockNear(instance.statusSince, Date.now())}</span>}
    </span>
  );
});
