import type { FacetValue } from '@/lib/model/filter';

interface Props<T extends string> {
  label: string;
  value: T | '';
  options: readonly FacetValue<T>[];
  format?: (value: T) => string;
  onChange: (value: T | '') => void;
}

export function FacetSelect<T extends string>({ label, value, options, format = String, onChange }: Props<T>) {
  // Keep a selected value listed even after the last service having it went away.
  const listed = value === '' || options.some((o) => o.value === value) ? options : [...options, { value, count: 0 }];
  return (
    <label className={value === '' ? 'select' : 'select is-active'}>
      <span className="visually-hidden">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T | '')}>
        <option value="">{`${label}: any`}</option>
        {listed.map((option) => (
          <option key={option.value} value={option.value}>
            {`${format(option.value)} (${option.count})`}
          </option>
        ))}
      </select>
    </label>
  );
}
