import { safeNextPath } from '@/lib/model/next-path';
import { isOidcLoginError } from '@/lib/server/auth/oidc';
import { jsonError, withRuntime } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Sends the browser to the OpenID Connect provider (authorization code + PKCE); `?next=` is where to land after. */
export function GET(request: Request): Promise<Response> {
  return withRuntime(async ({ oidc }) => {
    if (!oidc.enabled) return jsonError(404, 'not_configured', 'single sign-on is not configured');
    const next = safeNextPath(new URL(request.url).searchParams.get('next'));
    try {
      const { url, cookie } = await oidc.begin(request.headers, next);
      return new Response(null, { status: 303, headers: { location: url.href, 'set-cookie': cookie, 'cache-control': 'no-store' } });
    } catch (error) {
      const message = isOidcLoginError(error) ? error.message : 'the single sign-on provider could not be reached';
      console.error(`single sign-on: ${error instanceof Error ? error.message : String(error)}`);
      return new Response(null, { status: 303, headers: { location: `/login?error=${encodeURIComponent(message)}`, 'cache-control': 'no-store' } });
    }
  });
}
