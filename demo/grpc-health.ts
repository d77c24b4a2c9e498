import path from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { z } from 'zod';

// One copy of the proto, the prober's: the demo serves what the product calls.
export const HEALTH_PROTO = path.join(import.meta.dirname, '..', 'lib', 'server', 'prober', 'health.proto');
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** What Check answers; `hang` never answers, like a wedged server. */
export type GrpcHealthAnswer = 'SERVING' | 'NOT_SERVING' | 'hang';

export function loadHealthService(): ServiceDefinition {
  const definition = loadSync(HEALTH_PROTO, { keepCase: true, enums: String, defaults: true })[HEALTH_SERVICE];
  // Message and enum definitions carry a `format`; a service definition is a plain map of methods.
  if (!definition || 'format' in definition) throw new Error(`${HEALTH_PROTO} defines no ${HEALTH_SERVICE}`);
  return definition as ServiceDefinition;
}

export interface GrpcHealthServer {
  /** Loopback port of the gRPC server (the instance's public port forwards HTTP/2 here). */
  port: number;
  stop(): void;
}

/** A grpc-js server answering `grpc.health.v1.Health/Check` with whatever `answer()` says at the time. */
export async function startGrpcHealthServer(answer: () => GrpcHealthAnswer): Promise<GrpcHealthServer> {
  const server = new Server();
  server.addService(loadHealthService(), {
    Check(_call: ServerUnaryCall<unknown, unknown>, respond: sendUnaryData<{ status: string }>) {
      const status = answer();
      // A hanging call ends when the caller's deadline passes or when the server shuts down.
      if (status !== 'hang') respond(null, { status });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port, stop: () => server.forceShutdown() };
}

const CheckResponse = z.object({ status: z.string() });

/** Calls `Check` on `address` (host:port) like a prober would; resolves to the status name. */
export async function checkGrpcHealth(address: string, deadlineMs: number): Promise<string> {
  const service = loadHealthService();
  const check = service.Check;
  if (!check) throw new Error(`${HEALTH_SERVICE} has no Check`);
  const Client = makeGenericClientConstructor(service, 'Health');
  const client = new Client(address, credentials.createInsecure());
  try {
    const response = await new Promise<unknown>((resolve, reject) =>
      client.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, { service: '' }, { deadline: Date.now() + deadlineMs }, (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );
    return CheckResponse.parse(response).status;
  } finally {
    client.close();
  }
}
