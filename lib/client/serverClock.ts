/**
 * The server's clock, as the browser can know it. Every time the console shows ("3 min ago",
 * "Ongoing 51 s", a recovery still counting on the map, "the last 24 h") compares the server's
 * timestamps with now; a laptop whose clock is off by minutes showed events "in 3 min" and
 * incidents with negative durations. The page carries the server's time when it was rendered, and
 * the difference, when larger than the time a page takes to arrive, is applied to every "now".
 */

/** Differences within this are network and render time, not a wrong clock: ignored. */
export const SKEW_IGNORED_MS = 2_000;

let offsetMs = 0;

/** How far the server's clock is ahead of this one (ms), from the server's time and when it arrived here. */
export function clockOffset(serverMs: number, receivedAtMs: number): number {
  const difference = serverMs - receivedAtMs;
  return Number.isFinite(difference) && Math.abs(difference) > SKEW_IGNORED_MS ? difference : 0;
}

/** Takes the server's time as rendered into the page. */
export function learnServerClock(serverMs: number, receivedAtMs: number = Date.now()): void {
  offsetMs = clockOffset(serverMs, receivedAtMs);
}

/** Now on the server's clock (epoch ms): what the server's timestamps are compared with. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}
