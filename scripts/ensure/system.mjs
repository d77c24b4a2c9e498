// System binaries that npm cannot install: found on disk, or installed with apt (Debian) when root.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

// Testing hooks (not for everyday use):
//   ENSURE_DRY_RUN=1              print the commands ensure would run (apt-get, npm ci, next build) instead of running them
//   ENSURE_FAKE_MISSING=etcd,...  treat these tools (by `name` below) as missing, to exercise the install path
const fakeMissing = new Set((process.env.ENSURE_FAKE_MISSING ?? '').split(',').filter(Boolean));
export const dryRun = process.env.ENSURE_DRY_RUN === '1';

const onPath = (bin) => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, bin));
const etcdDir = () => (process.env.ETCD_BIN ? [path.dirname(process.env.ETCD_BIN)] : []);
/** Debian keeps PostgreSQL's server binaries per major version, off PATH: /usr/lib/postgresql/<major>/bin. */
const postgresBins = (bin) => {
  try {
    return fs.readdirSync('/usr/lib/postgresql').map((major) => path.join('/usr/lib/postgresql', major, 'bin', bin));
  } catch {
    return [];
  }
};

/** What each need requires. `env` names an override (a path) that replaces the lookup and the install. */
export const TOOLS = {
  runtime: [
    { name: 'etcd', pkg: 'etcd-server', env: 'ETCD_BIN', paths: () => [...onPath('etcd'), '/usr/bin/etcd'] },
    { name: 'etcdctl', pkg: 'etcd-client', paths: () => [...etcdDir().map((d) => path.join(d, 'etcdctl')), ...onPath('etcdctl'), '/usr/bin/etcdctl'] },
  ],
  browser: [
    { name: 'chromium', pkg: 'chromium', env: 'CHROMIUM_PATH', paths: () => ['/usr/bin/chromium'] },
    { name: 'DejaVu fonts', pkg: 'fonts-dejavu-core', plainFile: true, paths: () => ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'] },
  ],
  // The TLS tests make a throwaway CA and certificates per run (tests/support/certs.ts).
  certs: [{ name: 'openssl', pkg: 'openssl', paths: () => [...onPath('openssl'), '/usr/bin/openssl'] }],
  // Real programs the integration tests talk to (never mocks): Prometheus scrapes what our HTTP SD lists;
  // the registry-formats test builds a Go registrar against etcd's own clientv3, offline in GOPATH mode (tests/support/go-register.ts).
  peers: [
    { name: 'prometheus', pkg: 'prometheus', env: 'PROMETHEUS_BIN', paths: () => [...onPath('prometheus'), '/usr/bin/prometheus'] },
    // The alerts tests deliver to a real Alertmanager that notifies a recording webhook (tests/support/alertmanager.ts).
    { name: 'alertmanager', pkg: 'prometheus-alertmanager', env: 'ALERTMANAGER_BIN', paths: () => [...onPath('prometheus-alertmanager'), '/usr/bin/prometheus-alertmanager'] },
    { name: 'go', pkg: 'golang-go', paths: () => [...onPath('go'), '/usr/bin/go'] },
    // The replicas test puts a real load balancer in front of three replicas (tests/support/haproxy.ts).
    { name: 'haproxy', pkg: 'haproxy', paths: () => [...onPath('haproxy'), '/usr/sbin/haproxy'] },
    { name: 'etcd clientv3 Go sources', pkg: 'golang-etcd-server-dev', plainFile: true, paths: () => ['/usr/share/gocode/src/go.etcd.io/etcd/clientv3/client.go'] },
    // The store suites and the DATABASE_URL test start a throwaway server (tests/support/postgres.ts).
    { name: 'postgres', pkg: 'postgresql', paths: () => postgresBins('postgres') },
    { name: 'initdb', pkg: 'postgresql', paths: () => postgresBins('initdb') },
  ],
};

function usable(file, plainFile) {
  try {
    fs.accessSync(file, plainFile ? fs.constants.R_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Tools of these needs that are missing. Throws when an override points at nothing usable. */
export function missingTools(needs) {
  const missing = [];
  for (const tool of needs.flatMap((need) => TOOLS[need] ?? [])) {
    if (fakeMissing.has(tool.name)) {
      missing.push(tool);
    } else if (tool.env && process.env[tool.env]) {
      if (!usable(process.env[tool.env], tool.plainFile)) throw new Error(`${tool.env}=${process.env[tool.env]} is not an executable file`);
    } else if (!tool.paths().some((p) => usable(p, tool.plainFile))) {
      missing.push(tool);
    }
  }
  return missing;
}

/** The message for a user who cannot install (not root): what is missing and the exact command. */
export function notRootMessage(missing) {
  const what = missing.map((t) => `${t.name} (Debian package ${t.pkg})`).join(', ');
  const overrides = missing.filter((t) => t.env).map((t) => `${t.env}=/path/to/${t.name}`);
  return [
    `ensure: missing ${what}.`,
    `  Install with:  sudo apt-get install -y ${[...new Set(missing.map((t) => t.pkg))].join(' ')}`,
    ...(overrides.length > 0 ? [`  or point at existing binaries with ${overrides.join(', ')}`] : []),
  ].join('\n');
}

/** Runs a command with its output captured; `output` is its last 40 lines, for the message when it fails. */
export function runQuietly(cmd, args, options = {}) {
  if (dryRun) {
    console.log(`ensure: [dry run] would run: ${[cmd, ...args].join(' ')}`);
    return { ok: true, output: '' };
  }
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`cannot run ${cmd}: ${result.error.message}`);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd().split('\n').slice(-40).join('\n');
  return { ok: result.status === 0, output };
}

const aptListsEmpty = () => {
  try {
    return !fs.readdirSync('/var/lib/apt/lists').some((name) => name.includes('_Packages'));
  } catch {
    return true;
  }
};

/** Installs the missing tools with ONE apt-get install, running apt-get update first only when needed. */
export function aptInstall(missing) {
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let failure = '';
  const install = () => {
    const result = runQuietly('apt-get', ['install', '-y', ...pkgs], { env });
    failure = result.output;
    return result.ok;
  };
  const update = () => {
    console.log('ensure: refreshing the apt package lists…');
    const result = runQuietly('apt-get', ['update'], { env });
    if (!result.ok) throw new Error(`apt-get update failed:\n${result.output}`);
  };
  console.log(`ensure: installing ${pkgs.join(', ')} (apt)…`);
  if (aptListsEmpty()) update();
  if (install()) return;
  update(); // stale or missing package lists are the usual cause: refresh once and retry
  if (!install()) throw new Error(`apt-get install -y ${pkgs.join(' ')} failed:\n${failure}`);
}
