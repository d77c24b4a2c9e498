import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/model/alerts/engine';
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
