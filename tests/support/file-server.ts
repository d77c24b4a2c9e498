import { afterAll, beforeAll } from 'vitest';
import { startEtcd, type TestEtcd } from './etcd';
import { startHealthTarget, type HealthTarget } from './health-target';
import { startServer, type TestServer } from './server';

export interface FileServer {
  readonly etcd: TestEtcd;
  readonly server: TestServer;
  /** Where instances registered for probing answer (only with `healthTarget`). */
  readonly target: HealthTarget;
}

/**
 * The real server (`env` as startServer takes it) on a real etcd of its own, for the test file that
 * calls this at its top level: started before its first test, stopped after its last, once `stopFirst`
 * has stopped what its tests started against them. With `healthTarget`, a health target too. Its
 * fields are read in tests and hooks; read before the start, they throw.
 */
export function serverForFile(options: { env: Record<string, string>; healthTarget?: boolean; stopFirst?: () => Promise<unknown> }): FileServer {
  let etcd: TestEtcd | undefined;
  let target: HealthTarget | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
    if (options.healthTarget) target = await startHealthTarget();
    server = await startServer({ etcdEndpoints: etcd.endpoints, env: options.env });
  });
  afterAll(async () => {
    await options.stopFirst?.();
    await server?.stop();
    await target?.close();
    await etcd?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} read before the file's beforeAll started it`);
    return value;
  };
  return {
    get etcd() {
      return started(etcd, 'etcd');
    },
    get server() {
      return started(server, 'the server');
    },
    get target() {
      return started(target, 'the health target (serverForFile with healthTarget)');
    },
  };
}
