import { z } from 'zod';
import { epochNow, meterTraffic, openSocket, waitForWebSocket, watchProblems, type EpochMs, type ViewSpec, type ViewerProtocol, type ViewerSession } from './scale-viewer';
import { receiveSummaryParts } from '@/lib/model/summary-parts';

/**
 * The per-view protocol (issue 19 part 1, docs/ARCHITECTURE "Live updates"): a socket asks for
 * `live:subscribe` `{ view: 'summary' }` / `{ view: 'service', service }` and receives that view's
 * snapshot, then its deltas (`summary:delta`, `service:delta` per service room); a service view
 * also follows the service's history (`history:follow`), as a service page does.
 *
 * Messages are read through a schema of the few fields used, so this file compiles against a model
 * with or without these events.
 */
const ServiceSnapshotSchema = z.object({ service: z.string() });
const ServiceDeltaKeysSchema = z.object({
  service: z.string(),
  changes: z.array(z.union([z.object({ op: z.literal('upsert'), instance: z.object({ key: z.string() }) }), z.object({ op: z.string() })])),
});
const AckSchema = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);

export const perViewProtocol: ViewerProtocol = {
  name: 'per view (`live:subscribe`: the summary room, a room per service)',
  connect(url, token): ViewerSession {
    const socket = openSocket(url, token);
    const traffic = meterTraffic(socket);
    const problem = watchProblems(socket);
    const listeners: ((key: string, at: EpochMs) => void)[] = [];
    const summary = new Set<(at: EpochMs) => void>();
    const services = new Map<string, Set<(at: EpochMs) => void>>();
    // The first view is in when the snapshot's last part is inflated and read.
    socket.on(
      'summary:snapshot',
      receiveSummaryParts(() => {
        const at = epochNow();
        for (const resolve of summary) resolve(at);
        summary.clear();
      }),
    );
    socket.on('service:snapshot', (raw: unknown) => {
      const at = epochNow();
      const snapshot = ServiceSnapshotSchema.safeParse(raw);
      if (!snapshot.success) return;
      for (const resolve of services.get(snapshot.data.service) ?? []) resolve(at);
      services.delete(snapshot.data.service);
    });
    socket.on('service:delta', (raw: unknown) => {
      const at = epochNow();
      const delta = ServiceDeltaKeysSchema.safeParse(raw);
      if (!delta.success) return;
      for (const change of delta.data.changes) {
        if ('instance' in change) for (const listener of listeners) listener(change.instance.key, at);
      }
    });
    const subscribe = (view: ViewSpec): Promise<EpochMs> =>
      new Promise<EpochMs>((resolve, reject) => {
        if (view.view === 'summary') summary.add(resolve);
        else services.set(view.service, (services.get(view.service) ?? new Set()).add(resolve));
        socket.once('connect_error', reject);
        // Emitted before the connection is up, Socket.IO buffers it and sends it on connect.
        socket.emit('live:subscribe', view, (raw: unknown) => {
          const ack = AckSchema.safeParse(raw);
          if (ack.success && !ack.data.ok) reject(new Error(`live:subscribe ${JSON.stringify(view)} refused: ${ack.data.error}`));
        });
        // A service page also follows that service's history (its latest failures, lib/client/useHistoryFailures.ts).
        if (view.view === 'service') socket.emit('history:follow', { service: view.service });
      });
    return {
      subscribe,
      onKey: (listener) => void listeners.push(listener),
      upgraded: (timeoutMs) => waitForWebSocket(socket, timeoutMs),
      traffic,
      problem,
      close: () => void socket.close(),
    };
  },
};
