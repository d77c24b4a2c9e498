/**
 * An ingest flood for load tests, run as a child process by `tests/support/ingest-flood.ts`, so the
 * test process that measures the server is not also the one generating the load. `CLIENTS`
 * concurrent clients each post one batch every `BATCH_EVERY_MS` for `DURATION_MS`, then the process
 * prints `{"accepted": …, "refused": …}` on one stdout line and exits. It stops itself even if
 * nobody reads it: a timer ends it `DURATION_MS` + 15 s after start.
 *
 * Every batch comes from a reporter of the client's own (client `c`, reporter `flood-c-r`): the
 * first `REPORTERS_PER_CLIENT` batches of a client each from a reporter never seen before, after
 * that those reporters again, each now calling the next of the known `CALLEES` — a newcomer node or
 * a new caller→callee pair for the map with every batch, with the node count bounded.
 */
import { z } from 'zod';

const env = z
  .object({
    TARGET_URL: z.url(),
    TOKEN: z.string().min(1),
    CLIENTS: z.coerce.number().int().min(1).max(64),
    DURATION_MS: z.coerce.number().int().min(1_000).max(120_000),
    BATCH_EVERY_MS: z.coerce.number().int().min(10).max(10_000),
    REPORTERS_PER_CLIENT: z.coerce.number().int().min(1).max(1_000),
    CALLEES: z.string().min(1),
  })
  .parse(process.env);

const REQUEST_TIMEOUT_MS = 5_000;
setTimeout(() => process.exit(2), env.DURATION_MS + 15_000).unref();

const callees = env.CALLEES.split(',');
const until = Date.now() + env.DURATION_MS;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let accepted = 0;
let refused = 0;

const post = async (reporter: string, callee: string): Promise<boolean> => {
  const response = await fetch(new URL('/api/v1/ingest/calls', env.TARGET_URL), {
    method: 'POST',
    headers: { authorization: `Bearer ${env.TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      reporter: { service: reporter, instance: `${reporter}-1` },
      intervalStart: new Date(Date.now() - 5_000).toISOString(),
      intervalSeconds: 5,
      calls: [{ to: callee, count: 10, errors: 0, latencyMs: { bounds: [5, 10, 50, 100], counts: [4, 3, 2, 1, 0] } }],
    }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 202;
};

const client = async (id: number): Promise<void> => {
  for (let seq = 0; Date.now() < until; seq += 1) {
    const started = Date.now();
    const reporter = `flood-${id}-${seq % env.REPORTERS_PER_CLIENT}`;
    const callee = callees[(seq + Math.floor(seq / env.REPORTERS_PER_CLIENT)) % callees.length] ?? '';
    if (await post(reporter, callee)) accepted += 1;
    else refused += 1;
    await pause(Math.max(0, started + env.BATCH_EVERY_MS - Date.now()));
  }
};

await Promise.all(Array.from({ length: env.CLIENTS }, (_, id) => client(id)));
process.stdout.write(`${JSON.stringify({ accepted, refused })}\n`);
process.exit(0);
