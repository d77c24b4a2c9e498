/** Which side of a call a duration histogram measures, and how to read it. */
export interface DurationMetric {
  side: 'server' | 'client';
  protocol: 'http' | 'rpc';
  /** The unit the semantic conventions give this name, used when the point carries none. */
  defaultUnit: 's' | 'ms';
}

/** The HTTP and RPC duration histograms, current names (seconds) and the previous generation (milliseconds). */
export const DURATION_METRICS: ReadonlyMap<string, DurationMetric> = new Map([
  ['http.server.request.duration', { side: 'server', protocol: 'http', defaultUnit: 's' }],
  ['http.client.request.duration', { side: 'client', protocol: 'http', defaultUnit: 's' }],
  ['rpc.server.call.duration', { side: 'server', protocol: 'rpc', defaultUnit: 's' }],
  ['rpc.client.call.duration', { side: 'client', protocol: 'rpc', defaultUnit: 's' }],
  ['http.server.duration', { side: 'server', protocol: 'http', defaultUnit: 'ms' }],
  ['http.client.duration', { side: 'client', protocol: 'http', defaultUnit: 'ms' }],
  ['rpc.server.duration', { side: 'server', protocol: 'rpc', defaultUnit: 'ms' }],
  ['rpc.client.duration', { side: 'client', protocol: 'rpc', defaultUnit: 'ms' }],
] as const);

/** UCUM units a duration may carry, in ms. */
const MS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['s', 1_000],
  ['ms', 1],
  ['us', 0.001],
  ['ns', 0.000_001],
  ['min', 60_000],
]);

/** ms per unit of the point's `unit` field, else of the name's conventional unit; undefined for a unit that is not a duration. */
export function msPerUnit(unit: string, metric: DurationMetric): number | undefined {
  return MS_PER_UNIT.get(unit === '' ? metric.defaultUnit : unit);
}
