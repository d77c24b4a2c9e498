import type { Status } from '@/lib/model/instance';
import { StatusIcon } from './StatusIcon';

export const STATUS_LABELS: Record<Status, string> = {
  passing: 'Passing',
  warning: 'Warning',
  critical: 'Critical',
  unknown: 'Unknown',
};

export function StatusBadge({ status, title }: { status: Status; title?: string }) {
  return (
    <span className={`badge badge--${status}`} title={title}>
      <StatusIcon status={status} />
      {STATUS_LABELS[status]}
    </span>
  );
}
