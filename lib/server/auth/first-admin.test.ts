import { describe, expect, it } from 'vitest';
import { bootstrapFirstAdmin } from './first-admin';

/** An empty user table: bootstrap creates the admin, with the password given or a generated one. */
const emptyStore = {
  bootstrap: (password: string | undefined) => Promise.resolve({ created: true as const, name: 'admin', password: password ?? 'generated-password-1', generated: password === undefined }),
};

async function firstStartLines(configured: Parameters<typeof bootstrapFirstAdmin>[1]): Promise<string[]> {
  const lines: string[] = [];
  await bootstrapFirstAdmin(emptyStore, configured, (line) => lines.push(line));
  return lines;
}

describe('the first start line', () => {
  it('says a password the demo chose is the demo’s, printed below, and names no variable the newcomer never set', async () => {
    expect(await firstStartLines({ password: 'demo-password-123', chosenByDemo: true })).toEqual([`first start: created user "admin" with the demo's password (below)`]);
  });

  it('names SWITCHYARD_ADMIN_PASSWORD when the operator set it, and shows a generated password once', async () => {
    expect(await firstStartLines({ password: 'operator-password', chosenByDemo: false })).toEqual(['first start: created user "admin" with the password from SWITCHYARD_ADMIN_PASSWORD']);
    expect(await firstStartLines({ password: undefined, chosenByDemo: false })).toEqual([
      'first start: created user "admin" with password generated-password-1 (shown only this once; change it on the Access page)',
    ]);
  });
});
