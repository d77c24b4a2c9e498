import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

/** A throwaway CA with a server certificate (127.0.0.1, ::1, localhost) and a client certificate, as files. */
export interface TestCerts {
  dir: string;
  caFile: string;
  /** The CA certificate's PEM, for clients that take it as a value. */
  ca: Buffer;
  server: KeyPair;
  client: KeyPair;
  remove(): void;
}

const openssl = async (dir: string, ...args: string[]): Promise<void> => {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    throw new Error(`openssl ${args[0] ?? ''} failed (is Debian's openssl installed? node scripts/ensure.mjs certs): ${error instanceof Error ? error.message : String(error)}`);
  }
};

/** P-256 keys: quick to make, and accepted by etcd (Go), grpc-js and Node's TLS. */
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, subject: string, extensions: string): Promise<KeyPair> {
  const keyPair = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  await openssl(dir, 'req', ...KEY_ARGS, '-keyout', keyPair.keyFile, '-out', `${name}.csr`, '-subj', subject);
  await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', keyPair.certFile, '-extfile', `${name}.ext`);
  return keyPair;
}

/**
 * Generates certificates in a fresh temp dir with Debian's `openssl` CLI (no npm dependency, and
 * the same tool an operator would use). The server certificate also allows client use because
 * etcd's own gRPC gateway dials etcd with it when client certificates are required.
 */
export async function createTestCerts(): Promise<TestCerts> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-certs-'));
  await openssl(dir, 'req', '-x509', ...KEY_ARGS, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Switchyard test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const server = await issue(dir, 'server', '/CN=localhost',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n');
  const client = await issue(dir, 'client', '/CN=switchyard',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const caFile = path.join(dir, 'ca.crt');
  return { dir, caFile, ca: readFileSync(caFile), server, client, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
