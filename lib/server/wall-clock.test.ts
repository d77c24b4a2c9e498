import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('wallClockMs', () => {
  it('stays Node’s own Date.now after Next installs its own', () => {
    // In a process of its own: Next's extension replaces the global Date for good.
    const script = `
      const original = Date.now;
      const { wallClockMs } = await import(${JSON.stringify(path.join(import.meta.dirname, 'wall-clock.ts'))});
      await import('next/dist/server/node-environment.js');
      console.log(JSON.stringify({ nextInstalledItsOwn: Date.now !== original, wallClockIsOriginal: wallClockMs === original, skewMs: Math.abs(wallClockMs() - Date.now()) }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: path.join(import.meta.dirname, '..', '..'), encoding: 'utf8' });
    const seen = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { nextInstalledItsOwn: boolean; wallClockIsOriginal: boolean; skewMs: number };
    expect(seen.nextInstalledItsOwn).toBe(true);
    expect(seen.wallClockIsOriginal).toBe(true);
    expect(seen.skewMs).toBeLessThan(1_000);
  });
});
