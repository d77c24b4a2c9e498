/** A source of uniform numbers in [0, 1); injectable so tests and scale plans are reproducible. */
export type Random = () => number;

/**
 * Service latency as a log-normal distribution: most requests near the median, a long right tail
 * (p99 ≈ median·e^(2.33·sigma)), which is what real request latencies look like.
 */
export interface LatencyProfile {
  medianMs: number;
  sigma: number;
}

/** One latency sample; Box–Muller turns two uniforms into a standard normal. */
export function sampleLatencyMs(profile: LatencyProfile, random: Random): number {
  const u = Math.max(random(), Number.EPSILON);
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return profile.medianMs * Math.exp(profile.sigma * normal);
}

/** Gap until the next arrival of a Poisson process: how independent clients' requests are spaced. */
export function nextArrivalMs(ratePerSecond: number, random: Random): number {
  return (-Math.log(Math.max(1 - random(), Number.EPSILON)) / ratePerSecond) * 1000;
}

/** mulberry32: a tiny seeded generator, good enough for simulations. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
