import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ListedService } from '@/lib/model/filter';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { ServiceRow } from './ServiceRow';

vi.mock('next/navigation', () => ({ useRouter: () => ({ push: () => undefined }) }));

const payments: ListedService = { name: 'payments', status: 'passing', instances: 2, formats: ['native'], versions: [], zones: [] };
const origin: LikelyOrigin = { id: 'payments', explains: ['checkout'], peers: [], dependencies: 0, kind: 'service' };
const render = (summary: ListedService, likely: LikelyOrigin): string =>
  renderToStaticMarkup(createElement('table', null, createElement('tbody', null, createElement(ServiceRow, { summary, nameTail: 0, index: 0, rowIndex: 2, measure: () => undefined, origin: likely }))));

describe('ServiceRow origin mark', () => {
  it('marks a current likely origin as one, in red', () => {
    const html = render({ ...payments, status: 'critical' }, origin);
    expect(html).toContain('class="origin-mark"');
    expect(html).toMatch(/<\/svg>origin<\/span>/);
  });

  it('marks a recovered origin as having been one, muted, with when it recovered — not as a current failure beside "Passing"', () => {
    const html = render(payments, { ...origin, recoveredAt: '2026-12-07T20:02:10.000Z' });
    expect(html).toContain('class="origin-mark origin-mark--recovered"');
    expect(html).toMatch(/<\/svg>was origin<\/span><span class="service-row__recovered">recovered 20:02:10 UTC<\/span>/);
    expect(html).not.toMatch(/<\/svg>origin<\/span>/);
  });
});
