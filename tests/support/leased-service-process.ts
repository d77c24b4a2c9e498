/**
 * A real service process for outage tests, run by `tests/support/leased-service.ts`: serves
 * `/healthz` on a free loopback port, registers `/services/<service>/<id>` (native format) on an
 * etcd lease it keeps alive, and prints `{"address": …}` on one stdout line when registered.
 * SIGTERM is a graceful shutdown (revoke the lease, then close); SIGKILL leaves the lease to expire.
 * SIGUSR2 loses etcd: keep-alives stop and the client closes, the lease expires, `/healthz` still answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import { z } from 'zod';

const env = z
  .object({
    ETCD_ENDPOINT: z.string(),
    SERVICE: z.string(),
    INSTANCE_ID: z.string(),
    LEASE_TTL_SECONDS: z.coerce.number().int().min(1).max(60),
    /** Comma-separated services this one calls (declared dependencies, for the map). */
    DEPENDS_ON: z.string().optional(),
  })
  .parse(process.env);

const server = http.createServer((request, response) => {
  response.statusCode = request.url === '/healthz' ? 200 : 404;
  response.end('ok');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;

const client = new Etcd3({ hosts: env.ETCD_ENDPOINT });
const lease = client.lease(env.LEASE_TTL_SECONDS, { autoKeepAlive: true });
await lease.put(`/services/${env.SERVICE}/${env.INSTANCE_ID}`).value(JSON.stringify({ address, health: { http: '/healthz' }, ...(env.DEPENDS_ON ? { dependsOn: env.DEPENDS_ON.split(',') } : {}) }));
process.stdout.write(`${JSON.stringify({ address })}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await lease.revoke();
    client.close();
    server.close(() => process.exit(0));
  })();
});

process.once('SIGUSR2', () => {
  lease.release();
  client.close();
});
