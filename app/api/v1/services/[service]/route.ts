import { guarded } from '@/lib/server/auth/guard';
import { declaredDependencies } from '@/lib/model/dependencies';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service: name } = await context.params;
  return guarded(request, 'viewer', (_principal, { store }) => {
    const snapshot = store.snapshot();
    const service = snapshot.services.find((candidate) => candidate.name === name);
    if (!service) return jsonError(404, 'not_found', `no service named ${JSON.stringify(name)} is registered`, 'service');
    return json({ revision: snapshot.revision, ...service, ...declaredDependencies(snapshot.services, name) });
  });
}
