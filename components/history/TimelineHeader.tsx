/** Column titles above the scrolling rows (outside the feed, so they stay put). */
export function TimelineHeader({ showService }: { showService: boolean }) {
  return (
    <div className={showService ? 'timeline-header timeline-row__line' : 'timeline-header timeline-row__line timeline-row__line--no-service'} aria-hidden="true">
      <span />
      <span>Time</span>
      <span>Event</span>
      {showService && <span className="timeline-row__service">Service</span>}
      <span className="timeline-row__instance">Instance</span>
      <span>Change</span>
      <span>Detail</span>
      <span className="timeline-row__actor">By</span>
    </div>
  );
}
