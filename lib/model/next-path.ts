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
    if (url.pathname === '/login') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

export function loginPath(next: string | null | undefined): string {
  const path = safeNextPath(next);
  return path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
