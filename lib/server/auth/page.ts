import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { Principal } from '@/lib/model/auth';
import { loginPath } from '@/lib/model/next-path';
import { roleAtLeast, type Role } from '@/lib/model/roles';
import { getRuntime } from '../runtime';
import { secureCookies } from './cookies';
import { authenticate } from './guard';

/**
 * Pages check the session themselves (as route handlers do): not signed in → the login page,
 * which brings the user back to this URL. Once per request: the console layout and the page
 * both ask, and the answer is one database lookup.
 */
export const signedIn = cache(async (): Promise<Principal> => {
  const runtime = getRuntime();
  const requestHeaders = await headers();
  const principal = await authenticate(runtime.auth, requestHeaders, secureCookies(runtime.config));
  if (!principal) redirect(loginPath(requestHeaders.get('x-switchyard-url')));
  return principal;
});

/** Signed in with at least `need`, or null (the page says what is missing). */
export async function signedInAs(need: Role): Promise<Principal | null> {
  const principal = await signedIn();
  return roleAtLeast(principal.role, need) ? principal : null;
}

/** The nonce server.ts put in this response's CSP, for our own inline script. */
export async function scriptNonce(): Promise<string | undefined> {
  return (await headers()).get('x-nonce') ?? undefined;
}
