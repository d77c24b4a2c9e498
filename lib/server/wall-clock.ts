/**
 * Milliseconds since the epoch, as Node's own `Date.now`. Next replaces the global `Date` when the
 * server prepares it (so that a prerender reading the clock is noticed), and its `Date.now` looks
 * up two AsyncLocalStorages a call: ~5 % of an ingest request's CPU, which reads the clock for
 * every series it feeds. This server never prerenders outside Next's own rendering, and this module
 * is evaluated when imported, before Next is prepared, so it holds the original.
 */
export const wallClockMs: () => number = Date.now;
