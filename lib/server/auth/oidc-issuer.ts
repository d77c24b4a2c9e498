/**
 * Why an issuer URL is refused, or undefined when it is fine. Tokens and codes travel to the
 * issuer's endpoints, so it must be HTTPS; plain HTTP is allowed only on loopback, where nothing
 * crosses a network (a provider on the same machine, as in the tests).
 */
export function issuerProblem(issuer: URL): string | undefined {
  if (issuer.search || issuer.hash) return 'must not have a query or fragment';
  if (issuer.username || issuer.password) return 'must not contain credentials';
  if (issuer.protocol === 'https:') return undefined;
  if (issuer.protocol === 'http:') {
    return isLoopback(issuer.hostname) ? undefined : 'must use https:// (plain http:// is allowed only for a loopback issuer such as http://127.0.0.1:8080)';
  }
  return 'must be an https:// URL';
}

function isLoopback(hostname: string): boolean {
  // URL parsing already normalised IPv4 forms (127.1, 0x7f.0.0.1) to dotted decimal.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
