import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { startLocalEtcd } from '@/lib/server/etcd/local';
import { launchBrowser } from '../tests/support/browser';
import { eventually, startServer } from '../tests/support/server';
import { topologyFleet } from './topology-fleet';
import os from 'node:os';
import { mkdtempSync } from 'node:fs';

const count = Number(process.argv[2] ?? 1000);
const view = process.argv[3] ?? '';
const etcd = await startLocalEtcd(mkdtempSync(path.join(os.tmpdir(), 'prof-etcd-')));
const client = new Etcd3({ hosts: etcd.endpoint });
const fleet = topologyFleet(count);
for (let i = 0; i < fleet.length; i += 100) {
  await client.kv.txn({ compare: [], success: fleet.slice(i, i + 100).map((s) => ({ request_put: { key: Buffer.from(`/services/${s.name}/${s.name}-1`), value: Buffer.from(JSON.stringify({ address: '127.0.0.1:9', zone: s.zone, metadata: s.metadata, dependsOn: s.dependsOn })) } })) });
}
const server = await startServer({ etcdEndpoints: [etcd.endpoint], env: { SWITCHYARD_PROBE_INTERVAL_MS: '600000', SWITCHYARD_PREFIXES: '/services/' } });
await eventually(async () => ((await (await fetch(`${server.url}/api/v1/services`)).json()) as { services: unknown[] }).services.length === count || undefined, 60_000);
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' })).newPage();
await page.goto(`${server.url}/${view}`);
await page.locator('.topology[data-ready="true"]').waitFor({ timeout: 120_000 });
await page.waitForTimeout(1500);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.start');
await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
const start = Date.now();
const mode = process.argv[4] ?? 'pan';
if (mode === 'pan') {
  await page.mouse.move(300, 500);
  await page.mouse.down();
  for (let i = 0; Date.now() - start < 2500; i++) await page.mouse.move(300 + (i % 40) * 5, 500 + (i % 40) * 2);
  await page.mouse.up();
} else await page.waitForTimeout(2500);
const trace = await browser.stopTracing();
const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] } };
// Self time by function.
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byName = new Map<string, number>();
for (const node of profile.nodes) {
  const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
  byName.set(key, (byName.get(key) ?? 0) + (self.get(node.id) ?? 0) / 1000);
}
console.log('JS self time (ms), top:');
for (const [name, ms] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(ms.toFixed(1).padStart(8), name);
const events = (JSON.parse(trace.toString()) as { traceEvents: { name: string; dur?: number; ph: string }[] }).traceEvents;
const totals = new Map<string, number>();
for (const e of events) if (e.ph === 'X' && e.dur) totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
console.log('trace totals (ms):');
for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(ms.toFixed(1).padStart(8), name);
writeFileSync('/tmp/topo/trace.json', trace);
await browser.close();
await server.stop();
client.close();
await etcd.stop(true);
process.exit(0);
