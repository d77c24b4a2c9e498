import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { MeProvider } from '@/components/shell/MeProvider';
import { LostRow } from './LostRow';

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
  failingSince: verdict,
  drain: null,
  lost: { at: firstFailedProbe, cause: 'lease expired at 20:01:25 UTC after probes failed from 20:01:03 UTC', passingBefore: 2 },
};
const render = (instance: Instance): string =>
  renderToStaticMarkup(createElement(MeProvider, { me: { name: 'ops', role: 'operator', kind: 'session' }, children: createElement('table', null, createElement('tbody', null, createElement(LostRow, { instance, columns: 8 }))) }));

describe('LostRow', () => {
  it('dates the loss at the verdict, as its status and its alerts do, and leaves the first failed probe to the cause, which names it', () => {
    const html = render(standIn);
    expect(html).toContain(`<strong>Lost</strong> since <time dateTime="${verdict}">`);
    expect(html).toContain('after probes failed from 20:01:03 UTC');
  });
});
