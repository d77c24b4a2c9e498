/** The request headers that say where a browser request came from. */
export interface OriginHeaders {
  origin: string | null | undefined;
  secFetchSite: string | null | undefined;
  host: string | null | undefined;
}

/**
 * Positive evidence that a browser sent this from our own pages: an `Origin` whose host is the
 * one the request was sent to (or the configured public URL), or `Sec-Fetch-Site: same-origin`.
 * Comparing hosts, not schemes, keeps this right behind a proxy that terminates TLS.
 */
export function isSameOrigin(headers: OriginHeaders, publicOrigin?: string): boolean {
  if (headers.origin) {
    if (headers.origin === 'null') return false;
    try {
      const origin = new URL(headers.origin);
      return publicOrigin ? origin.origin === publicOrigin : origin.host === headers.host;
    } catch {
      return false;
    }
  }
  return headers.secFetchSite === 'same-origin';
}

/**
 * Evidence that a browser sent this from another site. Non-browser clients (curl, the CLI,
 * a Go service) send neither header and are not cross-site: they carry no ambient cookies.
 */
export function isCrossSite(headers: OriginHeaders, publicOrigin?: string): boolean {
  if (headers.origin) return !isSameOrigin(headers, publicOrigin);
  return headers.secFetchSite !== undefined && headers.secFetchSite !== null && headers.secFetchSite !== 'same-origin' && headers.secFetchSite !== 'none';
}
