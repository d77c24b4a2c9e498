import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import type { Status } from '@/lib/model/instance';
import { ServiceOriginNote } from './ServiceOriginNote';

const payments: LikelyOrigin = { id: 'payments', explains: ['orders'], peers: [], dependencies: 0, kind: 'service' };
const render = (origin: LikelyOrigin, status: Status, recoveredAt?: string): string =>
  renderToStaticMarkup(createElement(ServiceOriginNote, { service: 'payments', origins: [origin], status, ...(recoveredAt !== undefined ? { recoveredAt } : {}) }));

describe("ServiceOriginNote on the origin's own page", () => {
  it('says a current origin in the red note', () => {
    const html = render(payments, 'critical');
    expect(html).toMatch(/^<p class="service-origin" role="note"><strong>payments is the likely origin<\/strong> of this failure: a failing service depends on it/);
  });

  it('says a recovered origin was the origin, in the muted note, with when it recovered', () => {
    const html = render({ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }, 'passing', '2026-12-07T20:44:06.000Z');
    expect(html).toMatch(/^<p class="service-origin service-origin--recovered" role="note"><strong>payments was the likely origin<\/strong> of this failure, recovered at 20:44:06 UTC: a service that depends on it is still clearing its errors/);
  });

  // The origins come from a 5 s poll, the page's status is live: the status decides, as on the services list.
  it('says it was the origin, muted, with its own recovery time, once the service passes and before the origins poll says so', () => {
    const html = render(payments, 'passing', '2026-12-07T20:44:06.000Z');
    expect(html).toMatch(/^<p class="service-origin service-origin--recovered" role="note"><strong>payments was the likely origin<\/strong> of this failure, recovered at 20:44:06 UTC/);
  });

  it('says it is the origin, in red, once the service fails again while the origins poll still says it recovered', () => {
    const html = render({ ...payments, recoveredAt: '2026-12-07T20:44:06.000Z' }, 'critical');
    expect(html).toMatch(/^<p class="service-origin" role="note"><strong>payments is the likely origin<\/strong> of this failure: a failing service depends on it/);
  });
});
