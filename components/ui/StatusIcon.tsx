import type { Status } from '@/lib/model/instance';

/** A distinct shape per status, so status never depends on colour alone. */
export function StatusIcon({ status }: { status: Status }) {
  return (
    <svg className={`status-icon status-icon--${status}`} viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
      {status === 'passing' && <circle cx="5" cy="5" r="4.2" />}
      {status === 'warning' && <path d="M5 0.6 9.6 9.2H0.4Z" />}
      {status === 'critical' && <path d="M5 0.2 9.8 5 5 9.8 0.2 5Z" />}
      {status === 'unknown' && <circle cx="5" cy="5" r="3.6" fill="none" strokeWidth="1.6" strokeDasharray="2.2 1.5" />}
    </svg>
  );
}
