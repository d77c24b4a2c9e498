/** "09:32:41 UTC": causes are one string shared by the API, history and every browser, so they name UTC. */
export function utcClock(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
