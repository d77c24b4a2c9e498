import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { MeProvider } from '@/components/shell/MeProvider';
import { LostRow } from './LostRow';

// As the lost tracker makes a stand-in (instances-lost-alert.test.ts 'dates a loss at the critical verdict…'):
// slow (warning) from 19:58:00, its probes failing from 20:01:03, critical at 20:01:11, its key gone at 20:01:25.
const slowFrom = '2026-12-07T19:58:00.000Z';
const firstFailedProbe = '2026-12-07T20:01:03.000Z';
const verdict = '2026-12-07T20:01:11.000Z';
const standIn: Instance = {
  id: 'payments-2',
  service: 'payments',
  key: '/services/payments/payments-2',
  address: '10.0.0.2:80',
  format: 'native',
  metadata: {},
  dependsOn: [],
  status: 'critical',
  statusSince: verdict,
  failingSince: slowFrom,
  drain: null,
  lost: { at: firstFailedProbe, cause: 'lease expired at 20:01:25 UTC after probes failed from 20:01:03 UTC', passingBefore: 2 },
};
const render = (instance: Instance): string =>
  renderToStaticMarkup(createElement(MeProvider, { me: { name: 'ops', role: 'operator', kind: 'session' }, children: createElement('table', null, createElement('tbody', null, createElement(LostRow, { instance, columns: 8 }))) }));

describe('LostRow', () => {
  it('says it critical since its verdict, as its status and its alerts do (not the warning before it), and leaves its key\u2019s end and first failed probe to the cause, which names them', () => {
    const html = render(standIn);
    expect(html).toContain(`<strong>Lost</strong>, critical since <time dateTime="${verdict}">`);
    expect(html).toContain('lease expired at 20:01:25 UTC');
    expect(html).toContain('after probes failed from 20:01:03 UTC');
  });
});
