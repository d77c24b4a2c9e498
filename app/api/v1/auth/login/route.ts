import { LoginRequestSchema } from '@/lib/model/auth';
import { sessionCookie } from '@/lib/server/auth/cookies';
import { clientAddress, crossSiteRefusal } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError, withRuntime } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** `{"username","password"}` → a session cookie and `{"name","role"}`; 401 wrong credentials, 429 locked or rate-limited. */
export function POST(request: Request): Promise<Response> {
  return withRuntime(async (runtime) => {
    const refused = crossSiteRefusal(request, runtime.config.SWITCHYARD_PUBLIC_URL);
    if (refused) return refused;
    const body = await readJsonBody(request, 4 * 1024);
    if (!body.ok) return body.response;
    const parsed = LoginRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const outcome = await runtime.auth.login(parsed.data.username, parsed.data.password, clientAddress(request));
    if (!outcome.ok) {
      const response = jsonError(outcome.status, outcome.code, outcome.message);
      if (outcome.retryAfterSeconds) response.headers.set('retry-after', String(outcome.retryAfterSeconds));
      return response;
    }
    const response = json({ name: outcome.principal.name, role: outcome.principal.role });
    response.headers.append('set-cookie', sessionCookie(outcome.sessionSecret, runtime.config));
    return response;
  });
}
