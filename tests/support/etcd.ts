import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Etcd3, type IOptions } from 'etcd3';
import { startLocalEtcd, type LocalEtcd } from '@/lib/server/etcd/local';
import type { TestCerts } from './certs';

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

export interface TestEtcdOptions {
  /** Serve clients over TLS with `certs.server`; with `clientCertAuth`, clients must present a certificate from `certs`' CA. */
  tls?: { certs: TestCerts; clientCertAuth?: boolean };
  /** Enable etcd auth: `root` (password `rootPassword`) and `SWITCHYARD_ETCD_USER` with `password`, limited to the given prefixes. */
  auth?: { rootPassword: string; password: string; readPrefixes: string[]; controlPrefix: string };
}

/** The etcd user the product connects as in auth tests. */
export const SWITCHYARD_ETCD_USER = 'switchyard';

/**
 * The least Switchyard needs (README "etcd permissions"): read on the registry prefixes and
 * readwrite on the control prefix, where drains are written.
 */
async function enableAuth(etcdctl: (...args: string[]) => Promise<string>, auth: NonNullable<TestEtcdOptions['auth']>): Promise<void> {
  await etcdctl('user', 'add', 'root', `--new-user-password=${auth.rootPassword}`);
  await etcdctl('user', 'grant-role', 'root', 'root');
  await etcdctl('role', 'add', SWITCHYARD_ETCD_USER);
  for (const prefix of auth.readPrefixes) await etcdctl('role', 'grant-permission', SWITCHYARD_ETCD_USER, 'read', prefix, '--prefix=true');
  await etcdctl('role', 'grant-permission', SWITCHYARD_ETCD_USER, 'readwrite', auth.controlPrefix, '--prefix=true');
  await etcdctl('user', 'add', SWITCHYARD_ETCD_USER, `--new-user-password=${auth.password}`);
  await etcdctl('user', 'grant-role', SWITCHYARD_ETCD_USER, SWITCHYARD_ETCD_USER);
  await etcdctl('auth', 'enable');
}

/** A real etcd on free loopback ports with a temp data dir, removed on stop. Test data is arranged as root. */
export async function startEtcd(options: TestEtcdOptions = {}): Promise<TestEtcd> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-etcd-'));
  const certs = options.tls?.certs;
  const local = await startLocalEtcd(dataDir, {
    tls: certs && { caFile: certs.caFile, ...certs.server, clientCertAuth: options.tls?.clientCertAuth },
  });
  const tlsFlags = certs ? [`--cacert=${certs.caFile}`, `--cert=${certs.client.certFile}`, `--key=${certs.client.keyFile}`] : [];
  let userFlags: string[] = [];
  const etcdctl = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('etcdctl', [`--endpoints=${local.endpoint}`, ...tlsFlags, ...userFlags, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  if (options.auth) {
    await enableAuth(etcdctl, options.auth);
    userFlags = [`--user=root:${options.auth.rootPassword}`];
  }
  const clientOptions: IOptions = { hosts: local.endpoint };
  if (certs) {
    clientOptions.credentials = { rootCertificate: certs.ca, certChain: readFileSync(certs.client.certFile), privateKey: readFileSync(certs.client.keyFile) };
  }
  if (options.auth) clientOptions.auth = { username: 'root', password: options.auth.rootPassword };
  const client = new Etcd3(clientOptions);
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
