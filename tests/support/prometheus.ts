import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/lib/server/etcd/local';
import { startPeerProcess } from './peer-process';

export interface TestPrometheus {
  url: string;
  /** GET on Prometheus's HTTP API, parsed. */
  api(pathAndQuery: string): Promise<unknown>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian `prometheus`) on a free loopback port with a temp data dir, discovering
 * its targets from `sdUrl` (Prometheus HTTP SD) with `token` as its bearer credentials, every second.
 */
export async function startPrometheus(options: { sdUrl: string; token: string }): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-prometheus-'));
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, options.token, { mode: 0o600 });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: switchyard-fleet',
      '    http_sd_configs:',
      `      - url: ${JSON.stringify(options.sdUrl)}`,
      '        refresh_interval: 1s',
      `        authorization: { type: Bearer, credentials_file: ${JSON.stringify(tokenFile)} }`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = await startPeerProcess({
    name: 'prometheus',
    binary: process.env.PROMETHEUS_BIN ?? 'prometheus',
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    readyUrl: `${url}/-/ready`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
  return {
    url,
    async api(pathAndQuery) {
      const response = await fetch(`${url}${pathAndQuery}`);
      if (!response.ok) throw new Error(`prometheus ${pathAndQuery}: HTTP ${response.status}`);
      return response.json();
    },
    output: peer.output,
    stop: peer.stop,
  };
}
