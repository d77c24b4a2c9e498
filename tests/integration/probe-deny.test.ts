import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/server/config';
import { findEtcdBinary, freePort } from '@/lib/server/etcd/local';
import { startRuntime, type RunningRuntime } from '@/lib/server/start-runtime';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

/** Denied by SWITCHYARD_PROBE_DENY_CIDRS in this test; still a loopback address a listener can bind. */
const DENIED_IP = '127.0.0.3';
const INTERVAL_MS = 500;
/** A target the policy refuses is not probed: `unknown`, never critical, with why. */
const DENIED = /^not probed: address denied by probe policy \((.+)\)$/;

/** A TCP listener that counts the connections it accepts and closes them at once. */
interface CountingListener {
  port: number;
  connections: number;
  close(): void;
}

async function countingListener(host: string): Promise<CountingListener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    listener.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  const listener: CountingListener = {
    port: 0,
    connections: 0,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  listener.port = (server.address() as AddressInfo).port;
  return listener;
}

interface ApiInstance {
  id: string;
  status: string;
  statusCause?: string;
  lastProbe?: { ok: boolean; error?: string };
}

let etcd: TestEtcd;
let server: TestServer;
let denied: CountingListener;
let control: CountingListener;

beforeAll(async () => {
  denied = await countingListener(DENIED_IP);
  control = await countingListener('127.0.0.1');
  etcd = await startEtcd();
  server = await startServer({
    etcdEndpoints: etcd.endpoints,
    env: { SWITCHYARD_PROBE_INTERVAL_MS: String(INTERVAL_MS), SWITCHYARD_PROBE_TIMEOUT_MS: '300', SWITCHYARD_PROBE_DENY_CIDRS: `169.254.0.0/16,${DENIED_IP}/32` },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  denied?.close();
  control?.close();
});

const instances = async (): Promise<Map<string, ApiInstance>> => {
  const body = (await (await server.fetch('/api/v1/services')).json()) as { services: { instances: ApiInstance[] }[] };
  return new Map(body.services.flatMap((service) => service.instances).map((instance) => [instance.id, instance]));
};

describe('probe targets the policy denies', () => {
  it('never dials IPv4 hidden in IPv6 or numeric spellings, etcd members (client and peer) or our own port, and says why', async () => {
    const { members } = await etcd.client.cluster.memberList({});
    const peer = new URL(members[0]?.peerURLs[0] ?? '');
    const client = new URL(members[0]?.clientURLs[0] ?? '');
    const own = new URL(server.url);
    const p = denied.port;
    // id → [registration, what the cause must name]
    const cases = new Map<string, [object, RegExp]>([
      ['plain-v4', [{ address: `${DENIED_IP}:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['mapped-dotted', [{ address: `[::ffff:${DENIED_IP}]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['mapped-hex', [{ address: `[::ffff:7f00:3]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['compatible', [{ address: `[::${DENIED_IP}]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['nat64-hex', [{ address: `[64:ff9b::7f00:3]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['nat64-dotted', [{ address: `[64:ff9b::${DENIED_IP}]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['nat64-local', [{ address: `[64:ff9b:1::7f00:3]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['6to4', [{ address: `[2002:7f00:3::]:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['metadata-compatible', [{ address: `[::169.254.169.254]:${p}` }, /^169\.254\.0\.0\/16$/]],
      ['metadata-nat64', [{ address: `[64:ff9b::a9fe:a9fe]:${p}` }, /^169\.254\.0\.0\/16$/]],
      // Names the resolver turns into the denied address: checked after DNS, as the socket would connect.
      ['decimal-name', [{ address: `2130706435:${p}` }, /^127\.0\.0\.3\/32$/]],
      ['short-name-http', [{ address: `127.3:${p}`, health: { http: '/healthz' } }, /^127\.0\.0\.3\/32$/]],
      ['mapped-http', [{ address: `[::ffff:${DENIED_IP}]:${p}`, health: { http: '/healthz' } }, /^127\.0\.0\.3\/32$/]],
      ['nat64-grpc', [{ address: `[64:ff9b::${DENIED_IP}]:${p}`, health: { grpc: true } }, /^127\.0\.0\.3\/32$/]],
      ['decimal-grpc', [{ address: `2130706435:${p}`, health: { grpc: true } }, /^127\.0\.0\.3\/32$/]],
      ['etcd-peer', [{ address: `127.0.0.1:${peer.port}` }, new RegExp(`^etcd member .+ peer URL 127\\.0\\.0\\.1:${peer.port}$`)]],
      ['etcd-peer-mapped-http', [{ address: `[::ffff:127.0.0.1]:${peer.port}`, health: { http: '/members' } }, new RegExp(`peer URL 127\\.0\\.0\\.1:${peer.port}$`)]],
      ['etcd-client-localhost', [{ address: `localhost:${client.port}` }, new RegExp(`:${client.port}$`)]],
      ['own-port-http', [{ address: `127.0.0.1:${own.port}`, health: { http: '/healthz' } }, new RegExp(`^this dashboard's listener 127\\.0\\.0\\.1:${own.port}$`)]],
      ['own-port-name', [{ address: `localhost:${own.port}`, health: { http: '/healthz' } }, new RegExp(`^this dashboard's listener 127\\.0\\.0\\.1:${own.port}$`)]],
      ['own-port-compatible', [{ address: `[::127.0.0.1]:${own.port}` }, new RegExp(`^this dashboard's listener 127\\.0\\.0\\.1:${own.port}$`)]],
    ]);
    await etcd.put('/services/probed/control', JSON.stringify({ address: `127.0.0.1:${control.port}` }));
    for (const [id, [registration]] of cases) await etcd.put(`/services/hostile/${id}`, JSON.stringify(registration));

    const notProbed = (all: Map<string, ApiInstance>): boolean => [...cases.keys()].every((id) => DENIED.test(all.get(id)?.statusCause ?? ''));
    await eventually(async () => {
      const all = await instances();
      return notProbed(all) && all.get('control')?.status === 'passing' ? all : undefined;
    }, 30_000, 'every denied instance refused once and the control passing');
    // Three more rounds, past the three failures that make a failing instance critical: the control
    // keeps being dialled, the denied listener never is, and nothing refused turns critical.
    const controlBefore = control.connections;
    await eventually(() => (control.connections >= controlBefore + 3 ? true : undefined), 30_000, 'three more control probes');
    const after = await instances();
    for (const [id, [, rule]] of cases) {
      expect(after.get(id), id).toMatchObject({ status: 'unknown' });
      expect(after.get(id)?.lastProbe, id).toBeUndefined();
      expect(DENIED.exec(after.get(id)?.statusCause ?? '')?.[1], id).toMatch(rule);
    }
    expect(denied.connections).toBe(0);
  }, 120_000);
});

describe('probe targets the policy denies, as startRuntime wires it', () => {
  it("never dials an etcd member's advertised peer URL nor the listener the runtime is attached to, even spelled otherwise", async () => {
    // etcd advertises a second peer URL that is our counting listener: it never dials it itself
    // (one member), so every connection it records would be the prober's.
    const peer = await countingListener('127.0.0.1');
    const own = createHttpServer();
    let ownConnections = 0;
    own.on('connection', () => (ownConnections += 1));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-probe-deny-'));
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peers = [`http://127.0.0.1:${peerPort}`, `http://127.0.0.1:${peer.port}`];
    const etcdProcess = spawn(
      findEtcdBinary(),
      ['--name', 'm1', '--data-dir', path.join(dataDir, 'etcd'), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', peers[0] ?? '', '--initial-advertise-peer-urls', peers.join(','), '--initial-cluster', peers.map((url) => `m1=${url}`).join(',')],
      { stdio: 'ignore' },
    );
    const client = new Etcd3({ hosts: endpoint });
    let runtime: RunningRuntime | undefined;
    try {
      await eventually(() => client.get('ready').then(() => true, () => undefined), 15_000, 'etcd answering');
      runtime = await startRuntime(loadConfig({ ETCD_ENDPOINTS: endpoint, DATA_DIR: dataDir, SWITCHYARD_PROBE_INTERVAL_MS: String(INTERVAL_MS), SWITCHYARD_PROBE_TIMEOUT_MS: '300' }));
      runtime.attach(own);
      await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
      const ownPort = (own.address() as AddressInfo).port;
      const control = await countingListener('127.0.0.1');
      const cases = new Map<string, [object, RegExp]>([
        ['peer', [{ address: `127.0.0.1:${peer.port}` }, new RegExp(`^etcd member m1 peer URL 127\\.0\\.0\\.1:${peer.port}$`)]],
        ['peer-mapped-http', [{ address: `[::ffff:7f00:1]:${peer.port}`, health: { http: '/members' } }, /peer URL/]],
        ['peer-nat64-grpc', [{ address: `[64:ff9b::127.0.0.1]:${peer.port}`, health: { grpc: true } }, /peer URL/]],
        ['peer-name', [{ address: `localhost:${peer.port}` }, /peer URL/]],
        ['own', [{ address: `127.0.0.1:${ownPort}`, health: { http: '/' } }, new RegExp(`^this dashboard's listener 127\\.0\\.0\\.1:${ownPort}$`)]],
        ['own-compatible', [{ address: `[::127.0.0.1]:${ownPort}` }, /this dashboard's listener/]],
        ['own-other-loopback', [{ address: `127.0.0.2:${ownPort}` }, /this dashboard's listener/]],
        ['own-name-grpc', [{ address: `localhost:${ownPort}`, health: { grpc: true } }, /this dashboard's listener/]],
      ]);
      await client.put('/services/probed/control').value(JSON.stringify({ address: `127.0.0.1:${control.port}` }));
      for (const [id, [registration]] of cases) await client.put(`/services/hostile/${id}`).value(JSON.stringify(registration));
      const store = runtime.store;
      await eventually(
        () => ([...cases.keys()].every((id) => DENIED.test(store.instance(`/services/hostile/${id}`)?.statusCause ?? '')) && store.instance('/services/probed/control')?.status === 'passing' ? true : undefined),
        30_000,
        'every denied instance refused and the control passing',
      );
      const controlBefore = control.connections;
      await eventually(() => (control.connections >= controlBefore + 3 ? true : undefined), 30_000, 'three more control probes');
      for (const [id, [, rule]] of cases) {
        const instance = store.instance(`/services/hostile/${id}`);
        expect(instance?.status, id).toBe('unknown');
        expect(DENIED.exec(instance?.statusCause ?? '')?.[1], id).toMatch(rule);
      }
      expect(peer.connections).toBe(0);
      expect(ownConnections).toBe(0);
      control.close();
    } finally {
      await runtime?.stop();
      own.close();
      peer.close();
      client.close();
      if (etcdProcess.exitCode === null && etcdProcess.signalCode === null) {
        const exited = new Promise((resolve) => etcdProcess.once('exit', resolve));
        etcdProcess.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
