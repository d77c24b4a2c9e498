import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { Principal } from '@/lib/model/auth';
import { loginPath } from '@/lib/model/next-path';
import { roleAtLeast, type Role } from '@/lib/model/roles';
import { isDatabaseUnreachable } from '../history/unreachable';
import { getRuntime, type Runtime } from '../runtime';
import { secureCookies } from './cookies';
import { pageVisitor } from './checked-visitors';

/** Who asks (null: nobody signed in) and the running services. Once per request: the layout and the page both ask, and the answer is one database lookup. */
export const visitor = cache(async (): Promise<{ principal: Principal | null; runtime: Runtime }> => {
  const runtime = getRuntime();
  const requestHeaders = await headers();
  try {
    return { principal: await pageVisitor(runtime.auth, runtime.checkedVisitors, requestHeaders, secureCookies(runtime.config)), runtime };
  } catch (error) {
    // The first page request of a database outage: sent to its own URL again, where server.ts, now
    // aware of the outage, answers 503 with a readable page (a page cannot set its own status).
    if (isDatabaseUnreachable(error) && runtime.database.since() !== null) redirect(withoutRscMarker(requestHeaders.get('x-switchyard-url') ?? '/'));
    throw error;
  }
});

/** Next's client navigations add `_rsc=…` to the URL; the address bar should not show it. */
function withoutRscMarker(url: string): string {
  const parsed = new URL(url, 'http://switchyard');
  parsed.searchParams.delete('_rsc');
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * Pages check the session themselves (as route handlers do): not signed in → the login page,
 * which brings the user back to this URL. Pages render from the services given here.
 */
export async function signedInWith(): Promise<{ principal: Principal; runtime: Runtime }> {
  const { principal, runtime } = await visitor();
  if (!principal) redirect(loginPath((await headers()).get('x-switchyard-url')));
  return { principal, runtime };
}

/** The signed-in principal, for pages that need nothing else. */
export async function signedIn(): Promise<Principal> {
  return (await signedInWith()).principal;
}

/** Signed in with at least `need`, or null (the page says what is missing). */
export async function signedInAs(need: Role): Promise<Principal | null> {
  const principal = await signedIn();
  return roleAtLeast(principal.role, need) ? principal : null;
}

/** The nonce server.ts put in this response's CSP, for our own inline script. */
export async function scriptNonce(): Promise<string | undefined> {
  return (await headers()).get('x-nonce') ?? undefined;
}
