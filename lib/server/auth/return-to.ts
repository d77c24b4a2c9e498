/**
 * Where to send the browser after login: only a path on this site. Anything else (another origin,
 * a protocol-relative `//host`, a backslash that browsers read as `/`) becomes `/`, so the login
 * flow cannot be used as an open redirect.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  // Control characters (tab, newline) are stripped by URL parsers and can turn `/\t/host` into `//host`.
  if (/\p{Cc}/u.test(value)) return '/';
  const resolved = new URL(value, 'http://switchyard.invalid');
  if (resolved.origin !== 'http://switchyard.invalid') return '/';
  return resolved.pathname + resolved.search + resolved.hash;
}
