import type { z } from 'zod';

const MAX_NAME_CHARS = 256;
export const MAX_ADDRESS_CHARS = 512;
const MAX_METADATA_ENTRIES = 64;
const MAX_METADATA_VALUE_CHARS = 1024;

/** Path segments of a key, ignoring one leading "/" (rpcx, kitex and go-zero write keys without it). */
export function keySegments(key: string): string[] {
  return (key.startsWith('/') ? key.slice(1) : key).split('/');
}

/**
 * The naming rule every format follows (README "Naming and leases"): in `…/<service>/<instance>`
 * the service is the segment just before the instance's own, never the path above it.
 */
export function serviceBeforeInstance(segments: readonly string[]): string | undefined {
  return segments.length >= 2 ? segments.at(-2) : undefined;
}

/** Value as text. Invalid UTF-8 becomes U+FFFD (as Go's json.Marshal does); BOM and edge whitespace go. */
export function valueText(value: Buffer): string {
  return value.toString('utf8').replace(/^\uFEFF/, '').trim();
}

/** Parses a JSON object value against a schema; undefined for anything else, never throws. */
export function readJsonObject<T>(value: Buffer, schema: z.ZodType<T>): T | undefined {
  const text = valueText(value);
  // Every JSON registration format is an object; skipping the rest avoids JSON.parse exceptions.
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : undefined;
}

/** `host:port` with a DNS name, IPv4 or bracketed IPv6 host. */
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+(?:%[\w.-]+)?\]|[A-Za-z0-9][\w.-]*):(\d{1,5})$/;

export function isHostPort(text: string): boolean {
  const port = Number(HOST_PORT.exec(text)?.[1]);
  return port >= 1 && port <= 65535;
}

/** Joins a host and port the way Go's net.JoinHostPort does; undefined when the result is not an address. */
export function joinHostPort(host: string, port: number): string | undefined {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const address = `${bracketed}:${port}`;
  return isHostPort(address) ? address : undefined;
}

const ENDPOINT = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)([/?#].*)?$/s;

export interface Endpoint {
  scheme: string;
  address: string;
  /** Everything after the authority: path, query, fragment. */
  rest: string;
}

/** Parses `scheme://host:port[/path][?query]`; the port must be explicit. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const match = ENDPOINT.exec(text);
  if (!match?.[1] || !match[2] || !isHostPort(match[2])) return undefined;
  return { scheme: match[1].toLowerCase(), address: match[2], rest: match[3] ?? '' };
}

/** A name within the cap and without NUL, which PostgreSQL's text cannot hold (history, silences, drains). */
export function isName(text: string): boolean {
  return text.length > 0 && text.length <= MAX_NAME_CHARS && !text.includes('\u0000');
}

/** An optional text field (version, zone): kept when non-empty and within the name cap, else dropped. */
export function optionalText(text: string | null | undefined): string | undefined {
  return text && isName(text) ? text : undefined;
}

/** A weight written as a number or as decimal digits; negative or odd values are dropped. */
export function weightOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw)) return Number(raw);
  return undefined;
}

/**
 * Builds a string→string metadata map from stranger-supplied pairs. Strings are clipped to 1 KiB,
 * numbers and booleans become text, and null, arrays and objects are skipped: metadata is flat by
 * contract, and stringifying arbitrary nesting is slow and can overflow the stack. Keys such as
 * `__proto__` or `constructor` are kept as data: `Object.fromEntries` defines own properties, so
 * none reaches a prototype. The result keeps Object.prototype because instances cross the React
 * Server Components boundary, which refuses null-prototype objects; it is read only through
 * `Object.entries` or fixed names that Object.prototype lacks (`zone`, `version`, `endpoints`).
 */
export function metadataFrom(pairs: Iterable<readonly [string, unknown]>): Record<string, string> {
  const kept: [string, string][] = [];
  for (const [key, raw] of pairs) {
    if (kept.length === MAX_METADATA_ENTRIES) break;
    const value = metadataValue(raw);
    if (value !== undefined && isName(key)) kept.push([key, value]);
  }
  return Object.fromEntries(kept);
}

function metadataValue(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.slice(0, MAX_METADATA_VALUE_CHARS);
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/** Metadata from a decoded JSON value; anything but a plain object gives an empty map. */
export function metadataOf(raw: unknown): Record<string, string> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? metadataFrom(Object.entries(raw)) : {};
}
