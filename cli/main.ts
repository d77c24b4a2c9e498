import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { InstanceSchema } from '@/lib/model/instance';
import { pathSegment } from '@/lib/model/path-segment';
import { printable } from '@/lib/model/printable';
import { parseDuration } from './duration';
import { CliError, EXIT } from './exit';
import { AUTH_HINT, errorMessage, exitFor, isAuthFailure, request, REQUEST_TIMEOUT_MS } from './http';
import { parseTarget } from './target';
import { waitUntilIdle, type WaitIo } from './wait';

const USAGE = `usage:
  switchyard drain <service>/<id> --reason "…" [--ttl 30m] [--force] [--wait] [--timeout 5m] [--url URL]
  switchyard undrain <service>/<id> [--url URL]

  --url       the dashboard (default $SWITCHYARD_URL or http://127.0.0.1:3000)
  --ttl       lift the drain by itself after this long (90s, 30m, 1h…); default: until undrained
  --force     drain even the last passing instance of the service
  --wait      exit only once calls to the instance have stopped (state "drained")
  --timeout   give up waiting after this long (default 5m)
  --token-file  a file holding an operator API token (default $SWITCHYARD_TOKEN); create one on
              the dashboard's Access page. History records the drain as token:<its name>.

exit codes: 0 done, 1 network/server error, 2 bad input, 3 refused (not found, already drained,
last passing instance, no traffic data to confirm idleness, no longer drained while waiting),
4 timed out waiting, 5 the API token was refused (unknown, expired, revoked, a viewer's, or scoped
to another service)

With --wait, a failing poll (5xx, 429, a restart or failover, a hung request) is retried until the
--timeout deadline, with a note on stderr; so is an answer without the drain from a server not yet
in sync with etcd (just restarted, catching up, cut off): exit 3 needs a synced server's word.`;

interface Io extends WaitIo {
  out: (line: string) => void;
  env: Record<string, string | undefined>;
}

async function call(io: Io, url: string, init: RequestInit): Promise<z.infer<typeof InstanceSchema>> {
  const answer = await request(io, url, init, REQUEST_TIMEOUT_MS);
  if (!answer.ok) throw new CliError(`cannot reach Switchyard at ${url}: ${answer.reason}`, EXIT.error);
  if (answer.status < 300) {
    const instance = InstanceSchema.safeParse(answer.body);
    if (!instance.success) throw new CliError(`unexpected answer from ${url}`, EXIT.error);
    return instance.data;
  }
  const message = errorMessage(answer.status, answer.body);
  throw new CliError(isAuthFailure(answer.status) ? `${message} (${AUTH_HINT})` : message, exitFor(answer.status));
}

/** A token file (first line, trimmed) wins over the environment; never a command-line value, which `ps` would show. */
function tokenFrom(file: string | undefined, fromEnv: string | undefined): string {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read --token-file ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
    }
    const token = text.split('\n')[0]?.trim();
    if (!token) throw new CliError(`--token-file ${file} is empty`, EXIT.usage);
    return token;
  }
  if (fromEnv?.trim()) return fromEnv.trim();
  throw new CliError('no API token: set SWITCHYARD_TOKEN or pass --token-file (an operator token from the dashboard\'s Access page)', EXIT.usage);
}

export async function run(argv: string[], { out, err, ...rest }: Io): Promise<number> {
  // Whatever a line quotes, nothing in it reaches the terminal as a control sequence.
  const safe = (text: string) => text.split('\n').map(printable).join('\n');
  const io: Io = { ...rest, out: (text) => out(safe(text)), err: (text) => err(safe(text)) };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        reason: { type: 'string' },
        ttl: { type: 'string' },
        force: { type: 'boolean', default: false },
        wait: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '5m' },
        url: { type: 'string' },
        'token-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    const [command, targetText] = positionals;
    if (values.help || !command) throw new CliError(USAGE, values.help ? EXIT.ok : EXIT.usage);
    if (command !== 'drain' && command !== 'undrain') throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`, EXIT.usage);
    const target = targetText ? parseTarget(targetText) : null;
    if (!target) throw new CliError(`name the instance as <service>/<id>\n${USAGE}`, EXIT.usage);
    const base = (values.url ?? io.env.SWITCHYARD_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    const url = `${base}/api/v1/services/${pathSegment(target.service)}/instances/${pathSegment(target.id)}/drain`;
    const token = tokenFrom(values['token-file'], io.env.SWITCHYARD_TOKEN);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const label = printable(`${target.service}/${target.id}`);

    if (command === 'undrain') {
      await call(io, url, { method: 'DELETE', headers });
      io.out(`undrained ${label}`);
      return EXIT.ok;
    }
    if (!values.reason) throw new CliError('--reason is required: say why, it goes into the history', EXIT.usage);
    const ttlSeconds = values.ttl === undefined ? undefined : parseDuration(values.ttl);
    if (ttlSeconds === null) throw new CliError(`--ttl ${values.ttl} is not a duration (try 90s, 30m, 1h)`, EXIT.usage);
    const timeoutSeconds = parseDuration(values.timeout);
    if (timeoutSeconds === null) throw new CliError(`--timeout ${values.timeout} is not a duration`, EXIT.usage);
    const drained = await call(io, url, { method: 'POST', headers, body: JSON.stringify({ reason: values.reason, ...(ttlSeconds ? { ttlSeconds } : {}), ...(values.force ? { force: true } : {}) }) });
    io.out(`drained ${label}${drained.drain?.until ? ` until ${drained.drain.until}` : ''}`);
    if (!values.wait) return EXIT.ok;

    await waitUntilIdle(io, {
      serviceUrl: `${base}/api/v1/services/${pathSegment(target.service)}`,
      readyUrl: `${base}/readyz`,
      headers,
      id: target.id,
      label,
      timeoutText: values.timeout,
      timeoutMs: timeoutSeconds * 1_000,
    });
    io.out(`${label} is idle: no calls for the quiet period`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) {
      io.out(error.code === EXIT.ok ? error.message : `switchyard: ${error.message}`);
      return error.code;
    }
    io.out(`switchyard: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
}
