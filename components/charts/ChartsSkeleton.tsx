/** Placeholder cards the size of the charts, while the first series loads. */
export function ChartsSkeleton({ count }: { count: number }) {
  return (
    <>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="chart-card chart-card--skeleton" aria-hidden="true">
          <div className="skeleton skeleton--title" />
          <div className="skeleton skeleton--plot" />
        </div>
      ))}
    </>
  );
}
