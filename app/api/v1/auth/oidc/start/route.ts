import { safeNextPath } from '@/lib/model/next-path';
import { isOidcLoginError } from '@/lib/server/auth/oidc';
import { clientAddress } from '@/lib/server/auth/guard';
import { isDatabaseUnreachable } from '@/lib/server/history/unreachable';
import { jsonError, withRuntime } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Sends the browser to the OpenID Connect provider (authorization code + PKCE); `?next=` is where to land after. */
export function GET(request: Request): Promise<Response> {
  return withRuntime(async ({ oidc }) => {
    if (!oidc.enabled) return jsonError(404, 'not_configured', 'single sign-on is not configured');
    const next = safeNextPath(new URL(request.url).searchParams.get('next'));
    try {
      const begun = await oidc.begin(request.headers, next, clientAddress(request));
      if (!begun.ok) {
        // Too many sign-ins in progress from this address (or from everyone): refused, none of theirs evicted.
        const response = jsonError(429, 'too_many_pending', 'too many single sign-ins in progress; try again later');
        response.headers.set('retry-after', String(begun.retryAfterSeconds));
        return response;
      }
      return new Response(null, { status: 303, headers: { location: begun.url.href, 'set-cookie': begun.cookie, 'cache-control': 'no-store' } });
    } catch (error) {
      // The pending login could not be kept: answered like every other door during an outage (503, Retry-After).
      if (isDatabaseUnreachable(error)) throw error;
      const message = isOidcLoginError(error) ? error.message : 'the single sign-on provider could not be reached';
      console.error(`single sign-on: ${error instanceof Error ? error.message : String(error)}`);
      return new Response(null, { status: 303, headers: { location: `/login?error=${encodeURIComponent(message)}`, 'cache-control': 'no-store' } });
    }
  });
}
