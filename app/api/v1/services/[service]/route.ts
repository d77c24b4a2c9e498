import { guarded } from '@/lib/server/auth/guard';
import { declaredDependencies } from '@/lib/model/dependencies';
import { errorBody, json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * One service, with the registry's status (`registry.state`, as on /readyz) in the answer and in the
 * 404: until this server is synced with etcd (just started, catching up, etcd unreachable) a service
 * or instance it lacks may exist, and `drain --wait` must not read that as gone whichever replica answered.
 */
export async function GET(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service: name } = await context.params;
  return guarded(request, 'viewer', (_principal, { store }) => {
    const snapshot = store.snapshot();
    const service = snapshot.services.find((candidate) => candidate.name === name);
    if (!service) return json({ ...errorBody('not_found', `no service named ${JSON.stringify(name)} is registered`, 'service'), registry: snapshot.registry }, 404);
    return json({ revision: snapshot.revision, registry: snapshot.registry, ...service, ...declaredDependencies(snapshot.services, name) });
  });
}
