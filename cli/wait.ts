import { z } from 'zod';
import { InstanceSchema } from '@/lib/model/instance';
import { CliError, EXIT } from './exit';
import { AUTH_HINT, errorMessage, isAuthFailure, isTransient, request, REQUEST_TIMEOUT_MS, serverWords, type Answer, type HttpIo } from './http';
import { retryAfterMs } from './retry-after';

/** How long "no traffic data" must persist before --wait gives up on confirming idleness. */
const NO_DATA_PATIENCE_MS = 10_000;
const POLL_INTERVAL_MS = 1_000;

export interface WaitIo extends HttpIo {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** A note for stderr: stdout says only what was done. */
  err: (line: string) => void;
}

export interface WaitFor {
  serviceUrl: string;
  /** The server's readiness (`/readyz`), asked only of a server whose answers do not say whether it is synced with etcd. */
  readyUrl: string;
  headers: Record<string, string>;
  id: string;
  label: string;
  timeoutText: string;
  timeoutMs: number;
}

/**
 * What one poll says. `notDrained`: the answer has the instance undrained, or lacks it (404 for the
 * service, or a service without it). That is the truth only from a server synced with etcd: one that
 * just (re)started lists nothing until its first listing is applied, one catching up lists the past,
 * one cut off from etcd lists what it last saw. `synced` is what the answer says of its server (the
 * `registry` of servers since 2026-12-06), undefined when it says nothing.
 */
type Poll =
  | { kind: 'instance'; instance: z.infer<typeof InstanceSchema> }
  | { kind: 'notDrained'; what: string; synced: boolean | undefined; state: string | undefined }
  | { kind: 'retry'; reason: string; afterMs: number | null };

// Instances are checked one by one: another instance the schema does not know must not hide ours.
const ServiceSchema = z.object({ instances: z.array(z.unknown()) });
const IdSchema = z.object({ id: z.string() });
const RegistrySchema = z.object({ registry: z.object({ state: z.string(), phase: z.string().optional() }) });

/** What an answer says of its server's registry (`state`, with its phase), undefined when it says nothing. */
function registryOf(body: unknown): { synced: boolean; state: string } | undefined {
  const registry = RegistrySchema.safeParse(body).data?.registry;
  return registry && { synced: registry.state === 'synced', state: registry.phase ? `${registry.state}, ${registry.phase}` : registry.state };
}

function notDrained(what: string, body: unknown): Poll {
  const registry = registryOf(body);
  return { kind: 'notDrained', what, synced: registry?.synced, state: registry?.state };
}

function readPoll(answer: Answer, id: string, nowMs: number): Poll {
  if (!answer.ok) return { kind: 'retry', reason: answer.reason, afterMs: null };
  const { status, body, headers } = answer;
  if (isAuthFailure(status)) throw new CliError(`${errorMessage(status, body)} (${AUTH_HINT})`, EXIT.auth);
  if (isTransient(status)) return { kind: 'retry', reason: [`HTTP ${status}`, serverWords(body)].filter(Boolean).join(': '), afterMs: retryAfterMs(headers.get('retry-after'), nowMs) };
  // The service itself is gone (its last instance deregistered), or not listed yet.
  if (status === 404) return notDrained('deregistered', body);
  if (status >= 300) throw new CliError(`unexpected answer while waiting: ${errorMessage(status, body)}`, EXIT.error);
  const service = ServiceSchema.safeParse(body);
  // A 200 that is not the service's JSON comes from something in front of Switchyard (a proxy's page).
  if (!service.success) return { kind: 'retry', reason: `HTTP ${status} that is not the service's JSON`, afterMs: null };
  const mine = service.data.instances.find((instance) => IdSchema.safeParse(instance).data?.id === id);
  if (mine === undefined) return notDrained('deregistered', body);
  const instance = InstanceSchema.safeParse(mine);
  if (!instance.success) return { kind: 'retry', reason: `unreadable instance ${id} in the answer`, afterMs: null };
  if (!instance.data.drain) return notDrained('lifted', body);
  // Idle is the go-ahead a pipeline waits for: taken only from a server in step with etcd, whose
  // view of the drain is current (a replica catching up may still show a drain since lifted).
  const registry = registryOf(body);
  if (registry && !registry.synced) return { kind: 'retry', reason: `the Switchyard that answered is not in sync with etcd (${registry.state})`, afterMs: null };
  return { kind: 'instance', instance: instance.data };
}

const ReadySchema = z.object({ registry: z.object({ state: z.literal('synced') }) });

/**
 * For a server that does not say whether it is synced: is it, per `/readyz`? Behind a balancer this
 * may ask another replica than the one that answered the poll; servers that say it in the answer
 * are not asked.
 */
async function readyzSaysSynced(io: WaitIo, readyUrl: string, timeoutMs: number): Promise<boolean> {
  if (timeoutMs <= 0) return false;
  const answer = await request(io, readyUrl, {}, Math.min(timeoutMs, REQUEST_TIMEOUT_MS));
  return answer.ok && answer.status === 200 && ReadySchema.safeParse(answer.body).success;
}

/**
 * Polls the service until the drained instance is idle. Whatever the server or the network does
 * in between (restart, failover, 5xx, 429, a hung request), it returns or throws by the deadline:
 * transient failures are retried with a note on stderr, and every request is bounded by what is
 * left of the deadline. "No longer drained" (exit 3) is said only on the word of a server synced
 * with etcd: its own `registry` in the answer, or for older servers `/readyz`.
 */
export async function waitUntilIdle(io: WaitIo, target: WaitFor): Promise<void> {
  const deadline = io.now() + target.timeoutMs;
  let noDataSince: number | undefined;
  let lastKnown = 'no answer yet';
  let lastNote: string | undefined;
  /** A synced server said "not drained" at the last poll: said again at the next, it is the truth. */
  let notDrainedOnce = false;
  for (;;) {
    const remaining = deadline - io.now();
    if (remaining <= 0) throw new CliError(`timed out after ${target.timeoutText}: ${target.label} ${lastKnown}; the drain stays in place`, EXIT.timeout);
    const startedAt = io.now();
    let poll = readPoll(await request(io, target.serviceUrl, { headers: target.headers }, Math.min(remaining, REQUEST_TIMEOUT_MS)), target.id, io.now());
    if (poll.kind === 'notDrained') {
      const synced = poll.synced ?? (await readyzSaysSynced(io, target.readyUrl, deadline - io.now()));
      if (synced) {
        // Twice, a poll apart: a synced replica other than the one that wrote the drain may see the
        // write a few milliseconds later, and the first poll follows the drain's answer at once.
        if (notDrainedOnce) throw new CliError(`${target.label} is no longer drained (lifted or deregistered)`, EXIT.refused);
        lastKnown = `is shown ${poll.what}; checking again`;
      } else {
        // Not the truth yet: the server that answered lacks part of etcd (a restart, a failover).
        poll = {
          kind: 'retry',
          reason: poll.state ? `the Switchyard that answered is not in sync with etcd (${poll.state}) and does not show it drained` : `Switchyard shows it ${poll.what} but /readyz does not say it is in sync with etcd`,
          afterMs: null,
        };
      }
    }
    notDrainedOnce = poll.kind === 'notDrained';
    let pause = POLL_INTERVAL_MS - (io.now() - startedAt);
    if (poll.kind === 'retry') {
      lastKnown = `could not be checked: ${poll.reason}`;
      // One note per kind of trouble, not one a second through a five-minute outage.
      if (poll.reason !== lastNote) io.err(`switchyard: cannot read ${target.label}'s state (${poll.reason}); retrying until the deadline`);
      lastNote = poll.reason;
      pause = Math.max(pause, poll.afterMs ?? 0);
    } else if (poll.kind === 'instance') {
      lastNote = undefined;
      const { instance } = poll;
      if (instance.drainState === 'drained') return;
      if (instance.drainState === 'no-traffic-data') {
        noDataSince ??= io.now();
        if (io.now() - noDataSince >= NO_DATA_PATIENCE_MS) {
          throw new CliError(`no traffic data for ${target.label}: nobody reports calls to it, so Switchyard cannot confirm it is idle (drop --wait, or report calls to POST /api/v1/ingest/calls)`, EXIT.refused);
        }
      } else noDataSince = undefined;
      lastKnown = `still receives calls (state ${instance.drainState ?? 'unknown'})`;
    }
    const sleepMs = Math.min(pause, deadline - io.now());
    if (sleepMs > 0) await io.sleep(sleepMs);
  }
}
