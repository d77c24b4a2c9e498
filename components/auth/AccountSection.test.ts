import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Role } from '@/lib/model/roles';
import { AccountSection } from './AccountSection';

const says = (role: Role): string | undefined => {
  const html = renderToStaticMarkup(createElement(AccountSection, { me: { name: 'sam', role, kind: 'session' } }));
  return /<p class="section__intro">(.*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
};

describe('AccountSection', () => {
  it('says all the signed-in role may do, as the role-change dialog and the API grant it', () => {
    expect(says('operator')).toBe('Signed in as sam with role operator. You can drain and undrain instances, acknowledge and silence alerts, and dismiss lost instances.');
    expect(says('admin')).toBe('Signed in as sam with role admin. You can do all an operator may, and manage users and API tokens.');
    expect(says('viewer')).toBe('Signed in as sam with role viewer. You can see everything; draining needs the operator role.');
  });
});
