import { safeNextPath } from '@/lib/model/next-path';
import { isOidcLoginError } from '@/lib/server/auth/oidc';
import { oidcPendingIdOf, sessionCookie } from '@/lib/server/auth/cookies';
import { clientAddress } from '@/lib/server/auth/guard';
import { withRuntime } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** The provider's redirect back: code → tokens → identity → a Switchyard session; refusals go back to the login page, said in words. */
export function GET(request: Request): Promise<Response> {
  return withRuntime(async (runtime) => {
    const { oidc } = runtime;
    // From the shared database, so the provider may send the browser back to any replica; unreachable → 503.
    const pending = await oidc.take(oidcPendingIdOf(request.headers));
    const back = (message: string, returnTo = '/'): Response => {
      const params = new URLSearchParams({ error: message });
      if (safeNextPath(returnTo) !== '/') params.set('next', safeNextPath(returnTo));
      const headers = new Headers({ location: `/login?${params}`, 'cache-control': 'no-store' });
      headers.append('set-cookie', oidc.clearedCookie());
      return new Response(null, { status: 303, headers });
    };
    if (!pending) return back('that sign-in expired or was already used; start again');
    try {
      // Next sees its own host here (localhost); the provider redirected to the registered URI, so rebuild on that.
      const callbackUrl = new URL(request.headers.get('x-switchyard-url') ?? new URL(request.url).search, pending.redirectUri);
      const identity = await oidc.complete(callbackUrl, pending);
      const outcome = await runtime.auth.loginExternal(identity, clientAddress(request));
      if (!outcome.ok) return back(outcome.message, pending.returnTo);
      const headers = new Headers({ location: pending.returnTo, 'cache-control': 'no-store' });
      headers.append('set-cookie', sessionCookie(outcome.sessionSecret, runtime.config));
      headers.append('set-cookie', oidc.clearedCookie());
      return new Response(null, { status: 303, headers });
    } catch (error) {
      console.error(`single sign-on: ${error instanceof Error ? error.message : String(error)}`);
      return back(isOidcLoginError(error) ? error.message : 'single sign-on failed; try again', pending.returnTo);
    }
  });
}
