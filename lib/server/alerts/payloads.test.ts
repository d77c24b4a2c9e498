import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertView } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import type { Instance } from '@/lib/model/instance';
import { toService } from '@/lib/model/state';
import { probableOrigins } from '@/lib/model/topology/graph';
import { deriveTopology } from '@/lib/model/topology/topology';
import { signature, slackBody, toPostable, webhookBody } from './payloads';

const firing: AlertView = {
  key: 'ServiceCritical\u0000payments',
  labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', cause: 'probe', instance: 'payments-1' },
  summary: 'payments is critical',
  description: 'its only instance failing — payments-1: HTTP 503',
  path: '/services/payments',
  state: 'firing',
  activeSince: '2026-12-03T09:00:00.000Z',
  firedAt: '2026-12-03T09:01:00.000Z',
  notified: true,
  holds: ['orders', 'web'],
};

describe('Alertmanager payload', () => {
  it('labels the alert, links the console and sends endsAt only once resolved', () => {
    expect(toPostable(firing, 'https://sy.example.com')).toEqual({
      labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', cause: 'probe', instance: 'payments-1' },
      annotations: { summary: 'payments is critical', description: 'its only instance failing — payments-1: HTTP 503', console: 'https://sy.example.com/services/payments', suppressed_callers: 'orders, web' },
      startsAt: '2026-12-03T09:00:00.000Z',
      generatorURL: 'https://sy.example.com/services/payments',
    });
    expect(toPostable({ ...firing, state: 'resolved', resolvedAt: '2026-12-03T09:05:00.000Z' }, 'https://sy.example.com').endsAt).toBe('2026-12-03T09:05:00.000Z');
  });
});

describe('webhook bodies', () => {
  it('signs timestamp and body with HMAC-SHA256 so a receiver can check both', () => {
    const body = webhookBody([firing], 'https://sy.example.com', '2026-12-03T09:01:00.000Z');
    const expected = createHmac('sha256', 'secret-secret-secret').update(`1796288460.${body}`).digest('hex');
    expect(signature('secret-secret-secret', '1796288460', body)).toBe(`sha256=${expected}`);
    expect(signature('secret-secret-secret', '1796288461', body)).not.toBe(`sha256=${expected}`);
    expect(JSON.parse(body)).toMatchObject({ version: '1', alerts: [{ status: 'firing', labels: { service: 'payments' }, suppressedCallers: ['orders', 'web'], url: 'https://sy.example.com/services/payments' }] });
  });

  it('escapes Slack’s control characters in fleet data', () => {
    const text = (JSON.parse(slackBody([{ ...firing, labels: { ...firing.labels, service: '<!channel>' }, description: 'a & b' }], 'https://sy')) as { text: string }).text;
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('a &amp; b');
    expect(text).not.toContain('<!channel>');
  });
});

describe('InstancesLost in a payload: what its stand-ins call for', () => {
  const T = Date.parse('2026-12-03T09:00:00Z');
  /** payments with `count` instances, the first `lost` of them stand-ins and the first `serving` of those still serving out of discovery. */
  function payments(count: number, lost: number, serving: number) {
    const instances = new Map<string, Instance>();
    for (let index = 1; index <= count; index += 1) {
      const id = `payments-${index}`;
      const live: Instance = { id, service: 'payments', key: `/services/payments/${id}`, address: `10.0.0.${index}:80`, format: 'native', metadata: {}, dependsOn: [], status: 'passing', statusCause: 'probe OK', drain: null, passedAt: new Date(T - 60_000).toISOString() };
      const stillServing = index <= serving ? { stillServing: true as const } : {};
      instances.set(live.key, index <= lost ? { ...live, status: 'critical', lost: { at: new Date(T).toISOString(), cause: 'lease expired', passingBefore: count, ...stillServing } } : live);
    }
    const services = [toService('payments', instances)];
    const topology = deriveTopology(services);
    return { services, topology, origins: probableOrigins(topology, { now: 0 }), registry: { state: 'synced' as const, since: new Date(T).toISOString() } };
  }
  const labelsOf = (count: number, lost: number, serving: number) => {
    const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
    const fired = engine.evaluate(payments(count, lost, serving), T).find((transition) => transition.alert.labels.alertname === 'InstancesLost');
    expect(fired).toBeDefined();
    return fired ? toPostable(fired.alert, 'https://sy').labels : undefined;
  };

  it('keeps cause="lost" (existing routes) and says with stand_in whether a process is gone or serves out of discovery', () => {
    expect(labelsOf(3, 1, 0)).toMatchObject({ alertname: 'InstancesLost', cause: 'lost', stand_in: 'lost' });
    // Still serving: a restart runbook is the wrong one — a receiver routes stand_in="out_of_discovery" to the etcd connection.
    expect(labelsOf(3, 1, 1)).toMatchObject({ alertname: 'InstancesLost', cause: 'lost', stand_in: 'out_of_discovery' });
    expect(labelsOf(3, 2, 1)).toMatchObject({ alertname: 'InstancesLost', cause: 'lost', stand_in: 'mixed' });
  });
});
