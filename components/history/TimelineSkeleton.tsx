/** Placeholder rows while the first page loads. */
export function TimelineSkeleton({ size }: { size: 'page' | 'panel' }) {
  return (
    <div className={`timeline timeline--${size} timeline--loading`} aria-busy="true" role="status" aria-label="Loading events">
      {Array.from({ length: size === 'page' ? 12 : 6 }, (_, index) => (
        <div key={index} className="timeline-skeleton">
          <span className="skeleton" />
        </div>
      ))}
    </div>
  );
}
