import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mtimeOf, needsBuild, needsNpmCi, newestMtime, newestOf } from './staleness.mjs';

const T0 = new Date('2026-01-01T00:00:00Z').getTime();
let dir = '';

/** Writes a file (creating parents) and gives it mtime T0 + `minutes`. */
function write(rel: string, minutes: number): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rel);
  setMinutes(rel, minutes);
  return file;
}
function setMinutes(rel: string, minutes: number): void {
  const at = new Date(T0 + minutes * 60_000);
  fs.utimesSync(path.join(dir, rel), at, at);
}
const at = (minutes: number) => T0 + minutes * 60_000;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ensure-staleness-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('needsNpmCi', () => {
  const fresh = { nodeModules: at(1), hiddenLock: at(2), lock: at(1), stamp: at(2) };

  it('runs when node_modules or its hidden lockfile is missing', () => {
    expect(needsNpmCi({ ...fresh, nodeModules: null })).toMatch(/node_modules is missing/);
    expect(needsNpmCi({ ...fresh, hiddenLock: null })).toMatch(/package-lock.json is missing/);
  });

  it('runs when package-lock.json is newer than the install or the last ci', () => {
    expect(needsNpmCi({ ...fresh, lock: at(3), stamp: null })).toMatch(/newer than node_modules/);
    expect(needsNpmCi({ ...fresh, hiddenLock: at(5), lock: at(3), stamp: at(2) })).toMatch(/since the last npm ci/);
  });

  it('skips when everything is newer than package-lock.json, with or without a stamp', () => {
    expect(needsNpmCi(fresh)).toBeNull();
    expect(needsNpmCi({ ...fresh, stamp: null })).toBeNull();
  });

  it('decides from real mtimes on disk', () => {
    write('package-lock.json', 5);
    write('node_modules/.package-lock.json', 4);
    const mtimes = () => ({
      nodeModules: mtimeOf(path.join(dir, 'node_modules')),
      hiddenLock: mtimeOf(path.join(dir, 'node_modules/.package-lock.json')),
      lock: mtimeOf(path.join(dir, 'package-lock.json')),
      stamp: mtimeOf(path.join(dir, 'node_modules/.stamp')),
    });
    expect(needsNpmCi(mtimes())).not.toBeNull();
    setMinutes('node_modules/.package-lock.json', 6);
    expect(needsNpmCi(mtimes())).toBeNull();
  });
});

describe('newestMtime', () => {
  it('is null for a missing path and the mtime itself for a plain file', () => {
    expect(newestMtime(path.join(dir, 'nope'))).toBeNull();
    write('tsconfig.json', 7);
    expect(newestMtime(path.join(dir, 'tsconfig.json'))).toBe(at(7));
  });

  it('finds the newest nested file, skipping node_modules, .next and test files', () => {
    write('lib/a/b/deep.ts', 9);
    write('lib/a/shallow.ts', 3);
    write('lib/a/deep.test.ts', 50);
    write('lib/node_modules/x.js', 60);
    write('lib/.next/y.js', 70);
    for (const d of ['lib/a/b', 'lib/a', 'lib/node_modules', 'lib/.next', 'lib']) setMinutes(d, 1);
    expect(newestMtime(path.join(dir, 'lib'))).toBe(at(9));
  });

  it('counts directory mtimes, so that deleting a file is a change', () => {
    write('app/page.tsx', 2);
    write('app/old.tsx', 2);
    setMinutes('app', 2);
    fs.rmSync(path.join(dir, 'app/old.tsx'));
    expect(newestMtime(path.join(dir, 'app'))).toBeGreaterThan(at(2));
  });

  it('newestOf takes the max over files and directories, ignoring missing ones', () => {
    write('lib/x.ts', 4);
    write('next.config.js', 8);
    setMinutes('lib', 1);
    expect(newestOf(['lib', 'next.config.js', 'public'].map((p) => path.join(dir, p)))).toBe(at(8));
    expect(newestOf([path.join(dir, 'public')])).toBeNull();
  });
});

describe('needsBuild', () => {
  it('builds when there is no BUILD_ID or a source is newer, and not otherwise', () => {
    write('lib/x.ts', 4);
    setMinutes('lib', 1);
    const newestSource = newestMtime(path.join(dir, 'lib'));
    expect(needsBuild({ buildId: null, newestSource })).toMatch(/no build/);
    expect(needsBuild({ buildId: at(3), newestSource })).toMatch(/sources changed/);
    expect(needsBuild({ buildId: at(4), newestSource })).toBeNull();
    expect(needsBuild({ buildId: at(5), newestSource: null })).toBeNull();
  });
});
