import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { AlertView } from '@/lib/model/alerts/engine';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import type { LikelyCause } from '@/lib/model/topology/likely-cause';
import { AlertsView } from './AlertsView';

vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh: () => undefined }) }));
// The page sits under the console's LiveProvider: the header's summaries, and whether they are live.
const live = vi.hoisted(() => ({ current: { connection: 'connected', summaries: [] as unknown[] } }));
vi.mock('@/components/live/LiveProvider', () => ({ useLive: () => live.current }));

const quiet: AlertsSnapshot = { alerts: [], resolved: [], silences: [], delivery: { targets: [], failures: [] } };
const render = (cause: LikelyCause): string => renderToStaticMarkup(createElement(AlertsView, { initial: quiet, services: [], cause }));

describe('AlertsView', () => {
  it('says the fleet left etcd together while the still-serving check runs, before any alert', () => {
    const html = render({ origins: [], departure: { services: 12, at: '2026-12-07T00:53:54.000Z', checking: true } });
    expect(html).toContain('<strong>Likely origin: etcd, or a planned stop.</strong>');
  });

  it('names a likely origin the map names while no alert has fired yet', () => {
    const html = render({ origins: [{ id: 'payments', explains: ['orders'], peers: [], dependencies: 0, kind: 'service' }], departure: null });
    expect(html).toContain('<strong>Likely origin: payments.</strong>');
  });

  it('says nothing of an origin when the map has none', () => {
    expect(render({ origins: [], departure: null })).not.toContain('Likely origin');
  });
});

describe('AlertsView, against the header', () => {
  const firing: AlertView = {
    key: 'ServiceCritical|payments',
    labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', cause: 'probe' },
    summary: 'payments is critical',
    description: 'payments is critical',
    path: '/services/payments',
    state: 'firing',
    activeSince: '2026-12-07T03:00:00.000Z',
    notified: true,
  };
  const renderFiring = (): string => renderToStaticMarkup(createElement(AlertsView, { initial: { ...quiet, alerts: [firing] }, services: ['payments'], cause: { origins: [], departure: null } }));
  const passingNow = 'payments is passing now';

  it('says a firing alert’s service is passing now while the header is live', () => {
    live.current = { connection: 'connected', summaries: [{ name: 'payments', status: 'passing' }] };
    expect(renderFiring()).toContain(passingNow);
  });

  it('says nothing of what the service is now while the connection is lost: the header’s summaries are frozen, the alerts are not', () => {
    for (const connection of ['reconnecting', 'offline', 'connecting']) {
      live.current = { connection, summaries: [{ name: 'payments', status: 'passing' }] };
      expect(renderFiring(), connection).not.toContain(passingNow);
    }
  });
});
