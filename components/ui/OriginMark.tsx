/** The likely-origin mark (a target and "origin"), on the map's nodes and in its legend, and on the services list's rows. */
export function OriginMark({ className, title = 'Likely origin of the current failures' }: { className?: string; title?: string }) {
  return (
    <span className={className ? `origin-mark ${className}` : 'origin-mark'} title={title}>
      <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true" focusable="false">
        <circle cx="6" cy="6" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <circle cx="6" cy="6" r="1.8" fill="currentColor" />
      </svg>
      origin
    </span>
  );
}
