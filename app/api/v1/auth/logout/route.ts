import { clearedSessionCookie } from '@/lib/server/auth/cookies';
import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Ends this session; `?everywhere=1` ends every session of the signed-in user (open sockets close too). */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async (principal, runtime) => {
    const everywhere = new URL(request.url).searchParams.get('everywhere') === '1';
    let ended = 0;
    if (principal.kind === 'session' && everywhere) ended = await runtime.auth.logoutEverywhere(principal.name, principal.name);
    else if (principal.kind === 'session') {
      await runtime.auth.logout(principal);
      ended = 1;
    }
    const response = json({ ended });
    response.headers.append('set-cookie', clearedSessionCookie(runtime.config));
    return response;
  });
}
