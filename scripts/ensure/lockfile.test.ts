import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/** Where Node (and npm ci) would find `name` for the package at `from`: its own node_modules, then each parent's. */
function resolves(from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (`${dir === '' ? '' : `${dir}/`}node_modules/${name}` in lock.packages) return true;
    if (dir === '') return false;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent === -1 ? '' : dir.slice(0, parent);
  }
}

describe('package-lock.json', () => {
  // npm ci refuses a lockfile that lacks any package.json dependency, optional ones for other platforms
  // included ("Missing: @next/swc-darwin-arm64 from lock file"), and the fallback printed ~80 lines of errors.
  it('lists every dependency and optional dependency of every locked package, so npm ci accepts it', () => {
    const missing: string[] = [];
    for (const [at, locked] of Object.entries(lock.packages)) {
      if (at !== '' && !at.startsWith('node_modules/')) continue;
      for (const name of Object.keys({ ...locked.dependencies, ...locked.optionalDependencies })) {
        if (!resolves(at, name)) missing.push(`${name} (needed by ${at || 'the project'})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
