import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { startLeasedService, type LeasedService } from '../support/leased-service';
import { eventually } from '../support/server';
import { screenshotWidths } from '../support/browser';
import { startBrowserStack, type BrowserStack } from '../support/stack';

const LEASE_TTL_SECONDS = 3;

const ServiceBody = z.object({ status: z.string(), instances: z.array(z.object({ id: z.string(), status: z.string(), recoveredAt: z.string().optional(), lost: z.object({ at: z.string() }).optional() })) });
const IncidentsBody = z.object({ incidents: z.array(z.object({ id: z.string(), closedAt: z.string().nullable(), closedBy: z.string().nullable() })) });
const AlertLabels = z.object({ alertname: z.string(), service: z.string(), severity: z.string() });
const AlertsBody = z.object({
  alerts: z.array(z.object({ labels: AlertLabels, state: z.string() })),
  resolved: z.array(z.object({ labels: AlertLabels, resolvedAt: z.string().optional(), resolvedOn: z.string().optional() })),
});

/** The reader's clock, as the page writes an ISO time (the test's page reads in UTC). */
const clock = (iso: string): string => iso.slice(11, 19);

describe('a whole-service outage and its recovery in Chromium: one "recovered at" everywhere', () => {
  let stack: BrowserStack;
  let page: Page;
  const processes: LeasedService[] = [];
  let recoveredAt = '';

  const launch = async (id: string): Promise<void> => {
    processes.push(await startLeasedService({ etcdEndpoint: stack.etcd.endpoint, service: 'ledger', id, leaseTtlSeconds: LEASE_TTL_SECONDS }));
  };
  const ledger = async () => ServiceBody.parse(await (await stack.server.fetch('/api/v1/services/ledger')).json());
  const alerts = async () => AlertsBody.parse(await (await stack.server.fetch('/api/v1/alerts')).json());
  const shoot = (name: string): Promise<void> => screenshotWidths(page, name, () => true);

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500' } });
    ({ page } = await stack.freshPage({ timezoneId: 'UTC' }));
    await launch('ledger-1');
    await launch('ledger-2');
    await eventually(async () => ((await ledger()).instances.every((instance) => instance.status === 'passing') ? true : undefined), 30_000, 'both ledger instances passing');
    await Promise.all(processes.splice(0).map((instance) => instance.kill()));
    // Their leases expire after their probes failed: both lost, their keys gone from etcd.
    await eventually(async () => ((await ledger()).instances.filter((instance) => instance.lost !== undefined).length === 2 ? true : undefined), 20_000, 'ledger lost');
    // An evaluation (every 5 s) has seen the loss: lost and back within one interval, it never fires, so nothing resolves.
    await eventually(async () => ((await alerts()).alerts.some((alert) => alert.labels.service === 'ledger' && alert.labels.alertname === 'InstancesLost' && alert.state === 'firing') ? true : undefined), 15_000, 'InstancesLost firing');
    await launch('ledger-1');
    await launch('ledger-2');
    const back = await eventually(async () => {
      const service = await ledger();
      return service.status === 'passing' && service.instances.every((instance) => instance.recoveredAt !== undefined) ? service : undefined;
    }, 30_000, 'ledger passing again');
    recoveredAt = back.instances.map((instance) => instance.recoveredAt ?? '').sort().at(-1) ?? '';
  });

  afterAll(async () => {
    await Promise.allSettled(processes.map((instance) => instance.kill()));
    await stack?.stop();
  });

  it('ends the incident and resolves the alert at the moment the last instance passed again', async () => {
    // The last pass's history row is written within the store's flush (50 ms) of the status the API showed.
    const incidents = await eventually(async () => {
      const listed = IncidentsBody.parse(await (await stack.server.fetch('/api/v1/incidents?service=ledger')).json()).incidents;
      return listed.length > 0 && listed.every((incident) => incident.closedAt !== null) ? listed : undefined;
    }, 5_000, 'the ledger incident over');
    expect(incidents.map((incident) => [incident.closedAt, incident.closedBy])).toEqual([[recoveredAt, 'recovery']]);
    // The alert engine evaluates every 5 s: its resolve comes up to one evaluation later, dated at the recovery.
    // The critical alert (both lost) stood until the recovery, however the two passed: it only escalates.
    const resolved = await eventually(async () => (await alerts()).resolved.find((alert) => alert.labels.service === 'ledger' && alert.labels.alertname === 'InstancesLost'), 15_000, 'InstancesLost resolved');
    expect([resolved.labels.severity, resolved.resolvedAt, resolved.resolvedOn]).toEqual(['critical', recoveredAt, 'recovery']);
  });

  it('says that moment on the service page, in the incident\u2019s detail and among the resolved alerts', async () => {
    await page.goto(`${stack.server.url}/services/ledger`);
    const note = page.locator('.service-recovery');
    await expect.poll(() => note.textContent()).toContain(`Recovered at ${clock(recoveredAt)}: its last failing instance passed again`);
    await shoot('recovery-service');

    const [incident] = IncidentsBody.parse(await (await stack.server.fetch('/api/v1/incidents?service=ledger')).json()).incidents;
    await page.goto(`${stack.server.url}/history?view=incidents&service=ledger&incident=${encodeURIComponent(incident?.id ?? '')}`);
    const facts = page.locator('.incident-detail__facts');
    await expect.poll(() => facts.textContent()).toMatch(new RegExp(`Recovered[A-Z][a-z]{2} \\d+, ${clock(recoveredAt)}`));
    await shoot('recovery-incident');

    await page.goto(`${stack.server.url}/alerts`);
    // Only resolved alerts of ledger are left; the newest comes first. Two when an evaluation fell
    // between the two losses: a warning gave way to the critical alert, which resolved at the recovery.
    const row = page.locator('tr[data-alert="InstancesLost"][data-service="ledger"]').first();
    await expect.poll(() => row.textContent()).toContain('at the recovery of ledger (passing again)');
    // The time is the browser's (ClientTime): empty in the server's HTML until the page has hydrated.
    await expect.poll(() => row.textContent()).toContain(clock(recoveredAt));
    await shoot('recovery-alerts');
  });
});
