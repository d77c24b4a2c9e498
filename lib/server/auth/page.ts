import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { Principal } from '@/lib/model/auth';
import { loginPath } from '@/lib/model/next-path';
import { roleAtLeast, type Role } from '@/lib/model/roles';
import { getRuntime, type Runtime } from '../runtime';
import { secureCookies } from './cookies';
import { authenticate } from './guard';

/** Who asks (null: nobody signed in) and the running services. Once per request: the layout and the page both ask, and the answer is one database lookup. */
export const visitor = cache(async (): Promise<{ principal: Principal | null; runtime: Runtime }> => {
  const runtime = getRuntime();
  const principal = await authenticate(runtime.auth, await headers(), secureCookies(runtime.config));
  return { principal, runtime };
});

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
