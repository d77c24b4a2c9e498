import { memo, type MouseEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ServiceSummary } from '@/lib/model/filter';
import { servicePath } from '@/lib/client/routes';
import { StatusBadge } from '../ui/StatusBadge';
import { Truncate } from '../ui/Truncate';

/** Memoised on the summary object, which stays the same while the service does not change. */
export const ServiceRow = memo(function ServiceRow({ summary }: { summary: ServiceSummary }) {
  const router = useRouter();
  const href = servicePath(summary.name);
  // Clicking anywhere in the row opens the service, unless the click was on the link itself
  // (it navigates on its own) or ended a text selection (people copy addresses and versions).
  const onClick = (event: MouseEvent<HTMLTableRowElement>) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    if (window.getSelection()?.toString()) return;
    router.push(href);
  };
  return (
    <tr className="row-link" onClick={onClick}>
      <td>
        <Link href={href} className="row-link__anchor truncate" title={summary.name} prefetch={false}>
          {summary.name}
        </Link>
      </td>
      <td className="service-row__status-cell">
        <span className="service-row__status">
          <StatusBadge status={summary.status} />
          {summary.service.cause && summary.status !== 'passing' && (
            <span className="service-row__cause" title={summary.service.cause}>
              {summary.service.cause}
            </span>
          )}
        </span>
      </td>
      <td className="num">{summary.instanceCount}</td>
      <td>
        <Truncate text={summary.formats.join(', ')} />
      </td>
      <td>
        <Truncate text={summary.versions.join(', ') || '—'} className="mono" />
      </td>
      <td>
        <Truncate text={summary.zones.join(', ') || '—'} />
      </td>
    </tr>
  );
});
