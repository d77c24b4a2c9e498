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

  // The origins come from a 5 s poll, the status live: the row's own status decides which mark it is.
  it('marks an origin as recovered, with the service\'s own recovery time, once its live status passes, before the origins poll says so', () => {
    const html = render({ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }, origin);
    expect(html).toContain('class="origin-mark origin-mark--recovered"');
    expect(html).toMatch(/<\/svg>was origin<\/span><span class="service-row__recovered">recovered 20:44:06 UTC<\/span>/);
    expect(html).toContain('title="Was the likely origin, now passing again: checkout is still clearing its errors"');
  });

  it('dates a recovered origin by the service\'s latest recovery when the origins poll still holds an earlier one', () => {
    const html = render({ ...payments, recoveredAt: '2026-12-07T20:50:00.000Z' }, { ...origin, recoveredAt: '2026-12-07T20:44:06.000Z' });
    expect(html).toContain('<span class="service-row__recovered">recovered 20:50:00 UTC</span>');
  });

  it('marks an origin failing again as a current one, in red, while the origins poll still says it recovered', () => {
    const html = render({ ...payments, status: 'critical' }, { ...origin, recoveredAt: '2026-12-07T20:44:06.000Z' });
    expect(html).toContain('class="origin-mark"');
    expect(html).toMatch(/<\/svg>origin<\/span>/);
    expect(html).not.toContain('was origin');
    expect(html).not.toContain('service-row__recovered');
    expect(html).toContain('title="Likely origin of the current failures: checkout fails because of it"');
  });
});
