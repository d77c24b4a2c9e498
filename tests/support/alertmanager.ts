import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/lib/server/etcd/local';
import { startPeerProcess } from './peer-process';

/** One POST a receiver got: its headers and raw body (signatures are over the exact bytes). */
export interface ReceivedPost {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every POST it is sent and answers 200. */
export async function startReceiver(): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Alertmanager's webhook notification (prometheus/alertmanager docs/configuration.md `<webhook_config>`). */
export interface AlertmanagerNotification {
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }[];
}

export interface TestAlertmanager {
  url: string;
  /** Every notification Alertmanager sent its webhook receiver, parsed. */
  notifications(): AlertmanagerNotification[];
  /** GET on Alertmanager's API v2, parsed. */
  api(pathAndQuery: string): Promise<unknown>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Alertmanager (Debian `prometheus-alertmanager`) on a free loopback port, clustering off,
 * with a temp dir, routing everything (grouped by alertname and service, waiting 1 s) to a local
 * receiver that records what it is sent. `repeatInterval` (Alertmanager's duration, default 1h):
 * how soon it notifies again of a group still firing.
 */
export async function startAlertmanager(options: { repeatInterval?: string } = {}): Promise<TestAlertmanager> {
  const receiver = await startReceiver();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    [
      'route:',
      '  receiver: recorder',
      "  group_by: ['alertname', 'service']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      `  repeat_interval: ${options.repeatInterval ?? '1h'}`,
      'receivers:',
      '  - name: recorder',
      '    webhook_configs:',
      `      - url: ${JSON.stringify(receiver.url)}`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = await startPeerProcess({
    name: 'alertmanager',
    binary: process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager',
    args: [`--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    readyUrl: `${url}/-/ready`,
    cleanup: async () => {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
  return {
    url,
    notifications: () => receiver.posts.map((post) => JSON.parse(post.body) as AlertmanagerNotification),
    async api(pathAndQuery) {
      const response = await fetch(`${url}${pathAndQuery}`);
      if (!response.ok) throw new Error(`alertmanager ${pathAndQuery}: HTTP ${response.status}`);
      return response.json();
    },
    output: peer.output,
    stop: peer.stop,
  };
}
