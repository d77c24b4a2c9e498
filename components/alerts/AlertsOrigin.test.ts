import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { describeOrigin } from '@/lib/model/topology/graph';
import { describeSharedDeparture, type SharedDeparture } from '@/lib/model/topology/shared-departure';
import { AlertsOrigin } from './AlertsOrigin';

const payments: LikelyOrigin = { id: 'payments', explains: ['api-gateway', 'orders'], peers: [], dependencies: 1, kind: 'service' };
const fleetLeft: SharedDeparture = { services: 12, at: '2026-12-07T00:53:54.000Z', checking: true };
const render = (origins: LikelyOrigin[], departure: SharedDeparture | null = null): string => renderToStaticMarkup(createElement(AlertsOrigin, { cause: { origins, departure } }));
const escaped = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

describe('AlertsOrigin', () => {
  it('names the likely origin in the map\u2019s words and links to its page', () => {
    const html = render([payments]);
    expect(html).toContain('<strong>Likely origin: payments.</strong>');
    expect(html).toContain(escaped(describeOrigin(payments)));
    expect(html).toMatch(/<a class="button" href="\/services\/payments">Open payments<\/a>/);
  });

  it('offers no page for an origin that is not a registered service', () => {
    const html = render([{ ...payments, id: 'postgres', kind: 'database' }]);
    expect(html).toContain('<strong>Likely origin: postgres.</strong>');
    expect(html).not.toContain('<a ');
  });

  it('says nothing without an origin', () => {
    expect(render([])).toBe('');
  });

  it('says the fleet left etcd together in place of any origin, in the map\u2019s words, with no service to open', () => {
    for (const departure of [fleetLeft, { ...fleetLeft, checking: false }]) {
      const html = render([payments], departure);
      expect(html).toContain(`<strong>${departure.checking ? 'Likely origin: etcd, or a planned stop' : 'Likely origin: etcd, not the services'}.</strong>`);
      expect(html).toContain(`${escaped(describeSharedDeparture(departure))}.`);
      expect(html).not.toContain('payments');
      expect(html).not.toContain('<a ');
    }
    expect(render([], fleetLeft)).toContain('12 services left discovery together at 00:53:54 UTC while still passing probes — checking whether they still serve; if they do,');
  });

  // Its callers still fail, so not the muted grey of the origin's own mark; the fault is over, so not a current failure's red either.
  it('names an origin that recovered, its callers still clearing its errors, in amber, not a current failure\'s red', () => {
    const html = render([{ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }]);
    expect(html).toMatch(/^<div class="alerts-origin alerts-origin--recovered" role="status"/);
    expect(html).toContain('<strong>Likely origin: payments, recovered.</strong>');
    expect(render([payments])).toMatch(/^<div class="alerts-origin" role="status"/);
  });

  it('leads with a current origin, in red, before one that recovered, whatever their order', () => {
    const catalog: LikelyOrigin = { id: 'catalog', explains: ['search'], peers: [], dependencies: 0, kind: 'service' };
    const html = render([{ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }, catalog]);
    expect(html).toMatch(/^<div class="alerts-origin" role="status"/);
    expect(html).toContain('<strong>Likely origin: catalog.</strong>');
    // Named under "Also:" with the word and time it recovered: bare, it read as failing now.
    expect(html).toContain(' Also: payments, recovered at 20:44:06 UTC.');
    const inventory: LikelyOrigin = { id: 'inventory', explains: ['cart'], peers: [], dependencies: 0, kind: 'service' };
    expect(render([{ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }, catalog, inventory])).toContain(' Also: payments, recovered at 20:44:06 UTC; inventory.');
    expect(render([catalog, payments, inventory])).toContain(' Also: payments, inventory.');
    expect(html).toMatch(/<a class="button" href="\/services\/catalog">Open catalog<\/a>/);
  });
});
