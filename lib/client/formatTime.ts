/**
 * "14:03:12" in the browser's locale (or `locale`: tests, which must not depend on the machine's) and
 * timezone; 0–23 h (`hour12: false` wrote midnight as "24:00:01" in en-US).
 */
export function formatClock(at: string | number, locale?: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

/**
 * `formatClock` on the reader's day of `now`; another day also names the day ("Dec 8, 14:03:12"),
 * and another year the year: a clock alone 24 h ahead reads as now.
 */
export function formatClockNear(at: string | number, now: number, locale?: string): string {
  const date = new Date(at);
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) return formatClock(at, locale);
  const day = date.toLocaleDateString(locale, { month: 'short', day: 'numeric', ...(date.getFullYear() !== today.getFullYear() ? { year: 'numeric' } : {}) });
  return `${day}, ${formatClock(at, locale)}`;
}

/**
 * Whole seconds from the clock `fromMs` shows to the one `toMs` shows (each cut to its second, as
 * every clock on the page is): 14:39:32.9 to 14:39:44.1 is 12 s, as "14:39:32" and "14:39:44" read.
 * Every gap the page states beside such clocks ("12 s ago", "Ongoing 12 s", "opened 12 s before")
 * is counted so, so they agree with the clocks and with each other. Never negative.
 */
export function clockSecondsBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor(toMs / 1000) - Math.floor(fromMs / 1000));
}

/** "just now", "45 s ago", "3 min ago", "2 h ago", "4 d ago" (seconds between the clocks, clockSecondsBetween). */
export function formatAgo(at: string | number, now: number): string {
  const seconds = clockSecondsBetween(new Date(at).getTime(), now);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "in 42 s", "in 12 min", "in 3 h", "in 2 d"; "any moment" once it is due. */
export function formatIn(at: string | number, now: number): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000);
  if (seconds <= 0) return 'any moment';
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}

/**
 * A time either side of now: "in 23 h" ahead (a token's expiry, a silence's end), formatAgo's words
 * otherwise. Under 5 s ahead is "just now": a server's timestamp of what just happened can be a
 * second or two past the page's clock, which ticks once a second.
 */
export function formatRelative(at: string | number, now: number): string {
  return clockSecondsBetween(now, new Date(at).getTime()) >= 5 ? formatIn(at, now) : formatAgo(at, now);
}

const DAY_MS = 86_400_000;
/** `utcClock`'s form (lib/model/status/clock.ts): causes are one string for every reader, so they name UTC. */
const UTC_CLOCK = /\b([01]\d|2[0-3]):([0-5]\d):([0-5]\d) UTC\b/g;

/**
 * `text` with every "14:39:39 UTC" in it written as `format` writes times (the reader's clock, as
 * every other time on the page): a cause next to a local time must not need arithmetic at 3 a.m.
 * A clock names no day: it is taken as the instant nearest `nearMs` (the event's or the page's time).
 */
export function localizeUtcClocks(text: string, nearMs: number, format: (ms: number) => string = formatClock): string {
  if (!text.includes(' UTC')) return text;
  const dayStart = Math.floor(nearMs / DAY_MS) * DAY_MS;
  return text.replace(UTC_CLOCK, (_match, hours: string, minutes: string, seconds: string) => {
    const sameDay = dayStart + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1_000;
    const nearest = [sameDay - DAY_MS, sameDay, sameDay + DAY_MS].reduce((best, at) => (Math.abs(at - nearMs) < Math.abs(best - nearMs) ? at : best));
    return format(nearest);
  });
}
