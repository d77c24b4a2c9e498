import { memo, type MouseEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ListedService } from '@/lib/model/filter';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { servicePath } from '@/lib/client/routes';
import { MiddleTruncate } from '../ui/MiddleTruncate';
import { OriginMark } from '../ui/OriginMark';
import { StatusBadge } from '../ui/StatusBadge';
import { useBeforeIso } from '@/lib/client/useBefore';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { utcClock } from '@/lib/model/status/clock';
import { originRecovery } from '@/lib/model/topology/graph';
import { FlappingMark } from '../ui/FlappingMark';
import { Truncate } from '../ui/Truncate';

/**
 * Memoised on the summary object, which stays the same while the service does not change.
 * `nameTail`: trailing characters of the name that always show, so names sharing a long prefix
 * (dubbo interfaces, namespaced names) stay apart on a narrow screen; 0 cuts it at its end.
 */
/** A service that is not passing shows its cause under its status (a taller row). */
export function showsCause(summary: ListedService): boolean {
  return summary.cause !== undefined && summary.cause !== '' && summary.status !== 'passing';
}

interface Props {
  summary: ListedService;
  nameTail: number;
  /** Position in the sorted list (the virtualizer's index). */
  index: number;
  /** 1-based row number in the whole table, header included (`aria-rowindex`). */
  rowIndex: number;
  /** The virtualizer measures rendered rows: a cause makes a row taller. */
  measure: (element: Element | null) => void;
  /** When this service is a likely origin of the current failures (the map's analysis). */
  origin?: LikelyOrigin | undefined;
}

/** The origin mark's title: whom it takes down. */
function originTitle(origin: LikelyOrigin, recovered: boolean): string {
  const names = origin.explains.join(', ');
  const one = origin.explains.length === 1;
  return recovered
    ? `Was the likely origin, now passing again: ${names} ${one ? 'is' : 'are'} still clearing its errors`
    : `Likely origin of the current failures: ${names} ${one ? 'fails' : 'fail'} because of it`;
}

export const ServiceRow = memo(function ServiceRow({ summary, nameTail, index, rowIndex, measure, origin }: Props) {
  const router = useRouter();
  const href = servicePath(summary.name);
  const local = useLocalTimes();
  const cause = local(summary.cause ?? '');
  const flapping = useBeforeIso(summary.flappingUntil);
  // The origins come from a 5 s poll, the status is live: the row's status decides.
  const recovery = origin ? originRecovery(summary.status, summary.recoveredAt, origin) : undefined;
  // Clicking anywhere in the row opens the service, unless the click was on the link itself
  // (it navigates on its own) or ended a text selection (people copy addresses and versions).
  const onClick = (event: MouseEvent<HTMLTableRowElement>) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    if (window.getSelection()?.toString()) return;
    router.push(href);
  };
  return (
    <tr ref={measure} className="row-link" data-index={index} aria-rowindex={rowIndex} onClick={onClick}>
      <td>
        <Link href={href} className="row-link__anchor" prefetch={false}>
          <MiddleTruncate text={summary.name} tail={nameTail} />
        </Link>
      </td>
      <td className="service-row__status-cell">
        <span className="service-row__status">
          <span className="service-row__badges">
            <StatusBadge status={summary.status} />
            {origin && recovery && <OriginMark title={originTitle(origin, recovery.recovered)} recovered={recovery.recovered} />}
            {recovery?.at !== undefined && <span className="service-row__recovered">recovered {local(utcClock(recovery.at), recovery.at)}</span>}
            {flapping && <FlappingMark more="Its page says which instance." />}
          </span>
          {showsCause(summary) && (
            <span className="service-row__cause" title={cause}>
              {cause}
            </span>
          )}
        </span>
      </td>
      <td className="num">{summary.instances}</td>
      <td className="detail-column">
        <Truncate text={summary.formats.join(', ')} />
      </td>
      <td className="detail-column">
        {/* The dash outside the monospace font, as wide as the zones' (in it, it reads "–"). */}
        {summary.versions.length > 0 ? <Truncate text={summary.versions.join(', ')} className="mono" /> : '—'}
      </td>
      <td className="detail-column">
        <Truncate text={summary.zones.join(', ') || '—'} />
      </td>
    </tr>
  );
});
