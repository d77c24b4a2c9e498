#!/usr/bin/env node
// Installs what the project needs before it runs: `node scripts/ensure.mjs [runtime] [browser] [certs] [build]`.
// Node 20 built-ins only: it runs before node_modules exists. Prints nothing when all is present.
//
//   always    node_modules, via `npm ci` when missing or older than package-lock.json (npm's output shown only on failure)
//   runtime   etcd + etcdctl (Debian etcd-server, etcd-client); ETCD_BIN=/path/to/etcd overrides the lookup
//   browser   /usr/bin/chromium + DejaVu fonts (Debian chromium, fonts-dejavu-core); CHROMIUM_PATH overrides
//   certs     openssl (Debian openssl), which the TLS tests use to make throwaway certificates
//   peers     real programs the tests talk to: prometheus, go + etcd's clientv3 sources, a PostgreSQL server, haproxy
//             (Debian prometheus, golang-go, golang-etcd-server-dev, postgresql)
//   build     `next build` when .next/BUILD_ID is older than any input; SWITCHYARD_SKIP_BUILD=1 skips this need
//
// Missing system packages are installed with one `apt-get install` when running as root; otherwise it
// prints the exact sudo command and exits 1. Testing hooks (ENSURE_DRY_RUN, ENSURE_FAKE_MISSING): ensure/system.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mtimeOf, needsBuild, needsNpmCi, newestOf } from './ensure/staleness.mjs';
import { TOOLS, aptInstall, dryRun, missingTools, notRootMessage, runQuietly } from './ensure/system.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => path.join(root, ...parts);
const CI_STAMP = at('node_modules', '.switchyard-npm-ci');
const BUILD_INPUTS = ['app', 'components', 'lib', 'public', 'next.config.js', 'package-lock.json', 'tsconfig.json'];

function fail(message) {
  console.error(`ensure: ${message}`);
  process.exit(1);
}

function ensureNodeModules() {
  const reason = needsNpmCi({
    nodeModules: mtimeOf(at('node_modules')),
    hiddenLock: mtimeOf(at('node_modules', '.package-lock.json')),
    lock: mtimeOf(at('package-lock.json')),
    stamp: mtimeOf(CI_STAMP),
  });
  if (!reason) return;
  console.log(`ensure: installing npm packages from package-lock.json (${reason}; about a minute, better-sqlite3 compiles)…`);
  // npm's own output is kept back and shown only if the install fails: a newcomer reads every line we print.
  const installed = runQuietly('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  if (!installed.ok) fail(`npm ci failed:\n${installed.output}`);
  if (!dryRun) fs.writeFileSync(CI_STAMP, `${new Date().toISOString()}\n`);
}

function ensureSystemTools(needs) {
  const missing = missingTools(needs);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(notRootMessage(missing));
    process.exit(1);
  }
  aptInstall(missing);
  if (dryRun) return;
  const still = missingTools(needs);
  if (still.length > 0) fail(`still missing after apt-get install: ${still.map((t) => t.name).join(', ')}`);
}

function ensureBuild() {
  if (process.env.SWITCHYARD_SKIP_BUILD === '1') return;
  const reason = needsBuild({ buildId: mtimeOf(at('.next', 'BUILD_ID')), newestSource: newestOf(BUILD_INPUTS.map((p) => at(p))) });
  if (!reason) return;
  console.log(`ensure: building the production bundle with next build (${reason}; 1–3 minutes)…`);
  const built = runQuietly('npx', ['next', 'build'], { cwd: root });
  if (!built.ok) fail(`next build failed:\n${built.output}`);
}

const needs = process.argv.slice(2);
const unknown = needs.filter((need) => need !== 'build' && !(need in TOOLS));
if (unknown.length > 0) fail(`unknown need ${unknown.join(', ')} (expected ${Object.keys(TOOLS).join(', ')}, build)`);

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node ${process.versions.node} is too old: Switchyard needs Node 20 or newer (https://nodejs.org).`);

try {
  ensureNodeModules();
  ensureSystemTools(needs.filter((need) => need in TOOLS));
  if (needs.includes('build')) ensureBuild();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
