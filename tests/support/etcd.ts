import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { startLocalEtcd, type LocalEtcd } from '@/lib/server/etcd/local';

const run = promisify(execFile);

export interface TestEtcd {
  endpoint: string;
  endpoints: string[];
  /** A plain client for arranging test data. */
  client: Etcd3;
  local: LocalEtcd;
  /** Puts a key; with a TTL it is attached to a fresh lease (returned) that is not kept alive. */
  put(key: string, value: string | Buffer, leaseTtlSeconds?: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** `etcdctl get --prefix` as the source of truth, independent of our client code. */
  etcdctlKeys(prefix: string): Promise<string[]>;
  etcdctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A real etcd on free loopback ports with a temp data dir, removed on stop. */
export async function startEtcd(): Promise<TestEtcd> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-etcd-'));
  const local = await startLocalEtcd(dataDir);
  const client = new Etcd3({ hosts: local.endpoint });
  const etcdctl = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('etcdctl', [`--endpoints=${local.endpoint}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  return {
    endpoint: local.endpoint,
    endpoints: [local.endpoint],
    client,
    local,
    async put(key, value, leaseTtlSeconds) {
      if (leaseTtlSeconds === undefined) {
        await client.put(key).value(value);
        return undefined;
      }
      const lease = client.lease(leaseTtlSeconds, { autoKeepAlive: false });
      await lease.put(key).value(value);
      return lease.grant();
    },
    async delete(key) {
      await client.delete().key(key);
    },
    async etcdctlKeys(prefix) {
      const out = await etcdctl('get', '--prefix', '--keys-only', prefix);
      return out.split('\n').filter((line) => line.length > 0);
    },
    etcdctl,
    async stop() {
      client.close();
      await local.stop(true);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
