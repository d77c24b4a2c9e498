import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Instance, Lost } from '@/lib/model/instance';
import { MeProvider } from '@/components/shell/MeProvider';
import { DismissLost, dismissedMessage } from './DismissLost';

const at = '2026-12-06T09:32:31.000Z';
const instance = (lost: Lost): Instance => ({ id: 'payments-2', service: 'payments', key: '/services/payments/payments-2', address: '10.0.0.2:80', format: 'native', metadata: {}, dependsOn: [], status: 'critical', statusCause: 'lease expired', drain: null, lost });
const render = (lost: Lost) => renderToStaticMarkup(createElement(MeProvider, { me: { name: 'ops', role: 'operator', kind: 'session' }, children: createElement(DismissLost, { instance: instance(lost) }) }));

describe('Dismiss on a stand-in, in the stand-in’s words', () => {
  it('calls an instance still serving out of discovery that, never lost', () => {
    const serving: Lost = { at, cause: 'lease expired at 09:32:41 UTC while it still served', passingBefore: 2, stillServing: true };
    // What it says, not its class names ("dismiss-lost").
    const markup = render(serving).replace(/ class="[^"]*"/g, '');
    expect(markup).not.toMatch(/\blost\b/);
    expect(markup).toContain('out of discovery');
    expect(dismissedMessage(instance(serving))).toBe('Dismissed payments-2 (out of discovery)');
  });
  it('calls a gone one lost', () => {
    const gone: Lost = { at, cause: 'lease expired', passingBefore: 2 };
    expect(render(gone)).toContain('lost');
    expect(dismissedMessage(instance(gone))).toBe('Dismissed payments-2 (lost)');
  });
});
