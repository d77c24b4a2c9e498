import { exportUrl, type EventFilter } from '@/lib/model/history-query';

/** Downloads of exactly what the timeline shows (its filters and fixed range), from the export endpoint. */
export function ExportLinks({ filter }: { filter: EventFilter | null }) {
  return (
    <div className="export-links" role="group" aria-label="Export">
      {(['csv', 'json'] as const).map((format) =>
        filter === null ? (
          <span key={format} className="button is-disabled" aria-disabled="true">
            Export {format.toUpperCase()}
          </span>
        ) : (
          <a key={format} className="button" href={exportUrl(filter, format)} download title={`Download the filtered events as ${format.toUpperCase()} (up to 100,000)`}>
            <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
              <path d="M6 1.5v6M3.5 5 6 7.5 8.5 5M2 10.5h8" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            Export {format.toUpperCase()}
          </a>
        ),
      )}
    </div>
  );
}
