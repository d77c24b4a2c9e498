import { z } from 'zod';
import type { TestServer } from './server';

/**
 * Digits to which two readings' difference of call counts is exact (`toBeCloseTo`): closed minutes
 * keep counts as 32-bit floats, so a count read after others landed in the series (a retry, another
 * test first) is off by ~1e-5 — far below one call, which is what the tests tell apart.
 */
export const COUNT_DIGITS = 3;

const InstancesLatencySchema = z.object({ instances: z.array(z.object({ id: z.string(), inbound: z.array(z.object({ rps: z.number() })) })) });

/** Calls into one instance over the last 5 min, as `GET /api/v1/services/{service}/instances/latency` gives them. */
export async function instanceInbound(server: TestServer, service: string, id: string): Promise<number> {
  const body = InstancesLatencySchema.parse(await (await server.fetch(`/api/v1/services/${service}/instances/latency?window=5m`)).json());
  return body.instances.find((i) => i.id === id)?.inbound.reduce((sum, p) => sum + p.rps, 0) ?? 0;
}
