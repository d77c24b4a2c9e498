/**
 * `node --import ./tests/support/skewed-clock.mjs`: the process's wall clock (Date, Date.now) runs
 * SKEWED_CLOCK_MS ahead (negative: behind), as on a host whose NTP is off. Monotonic clocks are
 * untouched, as they are on such a host.
 */
const skewMs = Number(process.env.SKEWED_CLOCK_MS ?? 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + skewMs;
  }
  // Own statics: Next wraps the global Date copying only its own properties.
  static parse(text) {
    return RealDate.parse(text);
  }
  static UTC(...args) {
    return RealDate.UTC(...args);
  }
}
globalThis.Date = SkewedDate;
