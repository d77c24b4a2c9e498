import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '@/lib/server/config';
import { startRuntime } from '@/lib/server/start-runtime';
import { startEtcd, type TestEtcd } from '../support/etcd';

/** What Socket.IO and the runtime's attach() hang on an HTTP server. */
const attachedListeners = (server: Server): number[] => ['request', 'upgrade', 'listening', 'close'].map((event) => server.listenerCount(event));

let etcd: TestEtcd;
let dataDir: string;
beforeEach(async () => {
  etcd = await startEtcd();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-runtime-stop-'));
});
afterEach(async () => {
  await etcd.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a runtime stopping or stopped refuses attach(): nothing is hung on the server, where nothing would stop it', async () => {
  const runtime = await startRuntime(loadConfig({ ETCD_ENDPOINTS: etcd.endpoint, DATA_DIR: dataDir }));
  const whileStopping = createServer();
  const afterStop = createServer();
  const untouched = attachedListeners(afterStop);
  const stopping = runtime.stop();
  expect(() => runtime.attach(whileStopping)).toThrow('the runtime is stopped: no server can be attached to it');
  await stopping;
  expect(() => runtime.attach(afterStop)).toThrow('the runtime is stopped: no server can be attached to it');
  expect(attachedListeners(whileStopping)).toEqual(untouched);
  expect(attachedListeners(afterStop)).toEqual(untouched);
});
