const number = new Intl.NumberFormat('en');

export function StatTiles({ stats }: { stats: readonly { label: string; value: number | string; hint?: string }[] }) {
  return (
    <dl className="tiles">
      {stats.map((stat) => (
        <div key={stat.label} className="tile" title={stat.hint}>
          <dt>{stat.label}</dt>
          <dd>{typeof stat.value === 'number' ? number.format(stat.value) : stat.value}</dd>
        </div>
      ))}
    </dl>
  );
}
