import type { History } from './store';

/** How often a running Switchyard marks the history as watched: it bounds how much of a crash's downtime the next start can miss. */
const HEARTBEAT_MS = 5_000;

export interface HistoryRun {
  /** Marks the run ended cleanly (the next start then says "stopped", not "crashed"). */
  stop(): Promise<void>;
}

/**
 * Opens this process's run in the history: records the gap since the previous run ended (cleanly
 * or not) and keeps a heartbeat so that the next start knows when this one stopped watching.
 */
export async function startHistoryRun(history: Pick<History, 'beginRun' | 'append' | 'heartbeat' | 'endRun'>, now: () => number = Date.now): Promise<HistoryRun> {
  const run = await history.beginRun();
  if (run.previousEnd) {
    const from = new Date(run.previousEnd.atMs).toISOString();
    history.append({
      at: from,
      until: new Date(now()).toISOString(),
      kind: 'history.gap',
      detail: `Switchyard was not watching from ${from} until it started again (${run.previousEnd.clean ? 'stopped' : 'crashed or was killed'}); changes in between are known only from the relist`,
      naturalKey: `gap:${run.runId}`,
    });
  }
  // A heartbeat the database refuses (PostgreSQL restarting) was an unhandled rejection, caught only by
  // the handler Next installs. Nothing to do about it: the history store's own writes log the outage,
  // the next heartbeat writes again, and one that never comes makes the next start's gap begin at the
  // last one that did, which is when this run was last known to watch.
  const heartbeat = setInterval(() => void history.heartbeat(run.runId).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    async stop() {
      clearInterval(heartbeat);
      await history.endRun(run.runId);
    },
  };
}
