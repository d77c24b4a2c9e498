import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { TokensSection } from './TokensSection';

vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh: () => undefined }) }));

const html = renderToStaticMarkup(createElement(TokensSection, { tokens: [], services: ['payments'] }));

describe('TokensSection', () => {
  it('defaults to viewer, the least a fleet reporter needs (ingest and OTLP take any role), not operator, which may drain', () => {
    expect(html).toContain('<option selected="">viewer</option><option>operator</option>');
  });

  it('says beside the choice what each role may do, tied to the select for a screen reader', () => {
    expect(html).toContain('aria-describedby="token-role-powers"');
    const powers = /<p[^>]*id="token-role-powers"[^>]*>(.*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
    expect(powers).toBe(
      'viewer reads everything and may report calls (ingest, OTLP) and list Prometheus targets: all a fleet’s reporters need. operator may also drain and undrain, acknowledge and silence alerts, and dismiss lost instances: a deploy pipeline, the switchyard CLI. admin may also manage users and tokens, and cannot be scoped to a service.',
    );
  });
});
