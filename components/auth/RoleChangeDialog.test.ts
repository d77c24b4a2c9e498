import { createElement, Fragment, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { RoleChangeDialog } from './RoleChangeDialog';

// The dialog's words, not the modal's portal (which needs a document).
vi.mock('@/components/drain/Modal', () => ({ Modal: ({ children }: { children: ReactNode }) => createElement(Fragment, null, children) }));

const intro = (from: 'viewer' | 'operator' | 'admin', to: 'viewer' | 'operator' | 'admin'): string | undefined => {
  const html = renderToStaticMarkup(createElement(RoleChangeDialog, { user: 'sam', from, to, self: false, onConfirm: () => undefined, onClose: () => undefined }));
  return /<p class="modal__intro">(.*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
};

describe('RoleChangeDialog', () => {
  it('says all an operator may do, as the API grants it: drain and undrain, acknowledge and silence alerts, dismiss lost instances', () => {
    expect(intro('viewer', 'operator')).toBe('viewer → operator: sam will be able to drain and undrain instances, acknowledge and silence alerts, and dismiss lost instances.');
  });

  it('says an admin may do all that too, and manage users and API tokens', () => {
    expect(intro('operator', 'admin')).toBe('operator → admin: sam will be able to do all an operator may, and manage users and API tokens.');
    expect(intro('admin', 'viewer')).toBe('admin → viewer: sam will be able to see everything, but change nothing.');
  });
});
