/**
 * Objects whose keys are fleet data (service names, instance ids, metadata keys). A stranger picks
 * those keys, so `__proto__`, `constructor` or `toString` must be ordinary keys: on a `{}` literal,
 * `record['__proto__'] = v` replaces the prototype (and the entry is lost), and `record['toString']`
 * finds Object.prototype's function when the entry is missing. Inside the code such data lives in
 * `Map`s; these helpers are for the JSON shapes the API serves and the browser reads.
 */

/** A null-prototype record of `entries`: every key (including `__proto__`) is an own, JSON-serialised property. */
export function fleetRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const record = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** `record[key]` if `key` is the record's own property (never something inherited from Object.prototype). */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `value` is a non-array object whose own enumerable values are all strings (parsed JSON metadata). */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
