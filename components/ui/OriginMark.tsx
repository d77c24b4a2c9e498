/**
 * The likely-origin mark (a target and "origin"), on the map's nodes and in its legend, and on the services list's rows.
 * `recovered`: the origin passes again and only its callers still clear its errors, so the mark says
 * "was origin", muted (the row or panel beside it says when it recovered): red "origin" beside
 * "Passing" read as a current failure.
 */
export function OriginMark({ className, title = 'Likely origin of the current failures', recovered = false }: { className?: string; title?: string; recovered?: boolean }) {
  const classes = ['origin-mark', recovered && 'origin-mark--recovered', className].filter(Boolean).join(' ');
  return (
    <span className={classes} title={title}>
      <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true" focusable="false">
        <circle cx="6" cy="6" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <circle cx="6" cy="6" r="1.8" fill="currentColor" />
      </svg>
      {recovered ? 'was origin' : 'origin'}
    </span>
  );
}
