import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Etcd3, Lease } from 'etcd3';
import type { Format } from '@/lib/model/instance';
import { registrationFor, type DemoInstance } from './formats';

export interface ServicePlan {
  service: string;
  format: Format;
  instances: number;
  dependsOn: string[];
}

/** A small Go shop: one gateway, its backends, each registered the way its framework does it. */
export const DEMO_PLAN: readonly ServicePlan[] = [
  { service: 'api-gateway', format: 'native', instances: 2, dependsOn: ['auth', 'users.rpc', 'orders', 'search'] },
  { service: 'auth', format: 'kratos', instances: 2, dependsOn: ['users.rpc'] },
  { service: 'users.rpc', format: 'go-zero', instances: 3, dependsOn: [] },
  { service: 'orders', format: 'go-micro', instances: 3, dependsOn: ['payments', 'inventory'] },
  { service: 'payments', format: 'grpc-go', instances: 2, dependsOn: [] },
  { service: 'inventory', format: 'kitex', instances: 2, dependsOn: [] },
  { service: 'search', format: 'rpcx', instances: 2, dependsOn: [] },
  { service: 'notifications', format: 'dubbo', instances: 2, dependsOn: [] },
  { service: 'recommendations', format: 'dubbo-app', instances: 2, dependsOn: [] },
  { service: 'media', format: 'hertz', instances: 2, dependsOn: [] },
];

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const LEASE_TTL_SECONDS = 10;

export interface RunningInstance {
  instance: DemoInstance;
  format: Format;
  key: string;
  server: Server;
  lease: Lease;
}

export interface Fleet {
  instances: RunningInstance[];
  stop(): Promise<void>;
}

function listen(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Starts one real loopback HTTP server per instance and registers it under a lease kept alive
 * like the frameworks do, so stopping an instance lets its key expire on its own.
 */
export async function startFleet(client: Etcd3, plan: readonly ServicePlan[] = DEMO_PLAN): Promise<Fleet> {
  const running: RunningInstance[] = [];
  for (const service of plan) {
    for (let i = 0; i < service.instances; i += 1) {
      const server = await listen();
      const { port } = server.address() as AddressInfo;
      const instance: DemoInstance = {
        service: service.service,
        id: `${service.service}-${i + 1}`,
        address: `127.0.0.1:${port}`,
        version: i === 0 && service.instances > 2 ? '1.9.0-canary' : '1.8.3',
        zone: ZONES[i % ZONES.length] ?? 'eu-west-1a',
        dependsOn: service.dependsOn,
      };
      const lease = client.lease(LEASE_TTL_SECONDS);
      const { key, value } = registrationFor(service.format, instance, await lease.grant());
      await lease.put(key).value(value);
      running.push({ instance, format: service.format, key, server, lease });
    }
  }
  return {
    instances: running,
    async stop() {
      await Promise.allSettled(running.map((r) => r.lease.revoke()));
      await Promise.allSettled(running.map((r) => new Promise((resolve) => r.server.close(resolve))));
    },
  };
}
