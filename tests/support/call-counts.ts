import { z } from 'zod';
import type { TestServer } from './server';

const InstancesLatencySchema = z.object({ instances: z.array(z.object({ id: z.string(), inbound: z.array(z.object({ rps: z.number() })) })) });

/** Calls into one instance over the last 5 min, as `GET /api/v1/services/{service}/instances/latency` gives them. */
export async function instanceInbound(server: TestServer, service: string, id: string): Promise<number> {
  const body = InstancesLatencySchema.parse(await (await server.fetch(`/api/v1/services/${service}/instances/latency?window=5m`)).json());
  return body.instances.find((i) => i.id === id)?.inbound.reduce((sum, p) => sum + p.rps, 0) ?? 0;
}
