// Pure staleness decisions for scripts/ensure.mjs. Node built-ins only: this runs before node_modules exists.
import fs from 'node:fs';
import path from 'node:path';

/** mtime in ms of a path, or null when it does not exist. */
export function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Names never walked into when looking for the newest source. */
export const IGNORED_NAMES = new Set(['node_modules', '.next', '.git']);

/** Test files do not reach the Next.js bundle, so editing one does not call for a rebuild. */
export const isTestFile = (name) => /\.test\.[cm]?[jt]sx?$/.test(name);

/**
 * Newest mtime (ms) under `dir` (or of `dir` itself when it is a file): files and directories (a directory's mtime moves when an entry is
 * added, renamed or deleted). Returns null when `dir` does not exist. Symlinks are not followed.
 * `ignore(name)` skips an entry, and everything below it, by its base name.
 */
export function newestMtime(dir, ignore = (name) => IGNORED_NAMES.has(name) || isTestFile(name)) {
  let stat;
  try {
    stat = fs.statSync(dir);
  } catch {
    return null;
  }
  let newest = stat.mtimeMs;
  if (!stat.isDirectory()) return newest; // a plain file is its own newest entry
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop();
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (ignore(entry.name)) continue;
      const full = path.join(current, entry.name);
      const mtime = fs.lstatSync(full).mtimeMs;
      if (mtime > newest) newest = mtime;
      if (entry.isDirectory()) pending.push(full);
    }
  }
  return newest;
}

/** Newest mtime over a mix of files and directories (missing ones ignored); null if none exist. */
export function newestOf(paths, ignore) {
  let newest = null;
  for (const p of paths) {
    const mtime = newestMtime(p, ignore);
    if (mtime !== null && (newest === null || mtime > newest)) newest = mtime;
  }
  return newest;
}

/**
 * Should `npm ci` run? Each argument is an mtime in ms, or null when the path is missing:
 * nodeModules (the directory), hiddenLock (node_modules/.package-lock.json, written by npm at the
 * end of every install), lock (package-lock.json), stamp (touched by ensure after a successful ci).
 * Returns the reason as a short phrase, or null when node_modules is up to date.
 */
export function needsNpmCi({ nodeModules, hiddenLock, lock, stamp }) {
  if (nodeModules === null) return 'node_modules is missing';
  if (hiddenLock === null) return 'node_modules/.package-lock.json is missing';
  if (lock !== null && hiddenLock < lock) return 'package-lock.json is newer than node_modules';
  if (lock !== null && stamp !== null && stamp < lock) return 'package-lock.json changed since the last npm ci';
  return null;
}

/**
 * Should `next build` run? buildId: mtime of .next/BUILD_ID or null; newestSource: newest mtime over
 * the build inputs, or null. Returns the reason, or null when the build is current.
 */
export function needsBuild({ buildId, newestSource }) {
  if (buildId === null) return 'no build yet';
  if (newestSource !== null && newestSource > buildId) return 'sources changed since the last build';
  return null;
}
