import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { describeOrigin } from '@/lib/model/topology/graph';
import { AlertsOrigin } from './AlertsOrigin';

const payments: LikelyOrigin = { id: 'payments', explains: ['api-gateway', 'orders'], peers: [], dependencies: 1, kind: 'service' };
const render = (origins: LikelyOrigin[]): string => renderToStaticMarkup(createElement(AlertsOrigin, { origins }));
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
});
