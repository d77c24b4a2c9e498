import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import type { LikelyCause } from '@/lib/model/topology/likely-cause';
import { AlertsView } from './AlertsView';

vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh: () => undefined }) }));
// The page sits under the console's LiveProvider (the header's summaries); none are needed here.
vi.mock('@/components/live/LiveProvider', () => ({ useLive: () => ({ summaries: [] }) }));

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
