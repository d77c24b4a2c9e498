/**
 * Where to go after signing in: a path on this site only (never `//evil.example` or
 * `https://…`, which would make the login page an open redirect), without Next's `_rsc` marker.
 */
export function safeNextPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return '/';
  try {
    const url = new URL(candidate, 'http://switchyard.invalid');
    if (url.origin !== 'http://switchyard.invalid') return '/';
    url.searchParams.delete('_rsc');
    // Dot segments are resolved by the parse: `/.//evil.example` comes out as `//evil.example`,
    // which the browser then reads as another host.
    if (url.pathname === '/login' || url.pathname.startsWith('//') || url.pathname.startsWith('/\\')) return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

export function loginPath(next: string | null | undefined): string {
  const path = safeNextPath(next);
  return path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
