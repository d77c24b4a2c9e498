import { z } from 'zod';
import { epochNow, meterTraffic, openSocket, waitForWebSocket, watchProblems, type EpochMs, type ViewSpec, type ViewerProtocol, type ViewerSession } from './scale-viewer';
import { gunzipSync, constants } from 'node:zlib';
import { receiveSummary } from '@/lib/model/summary-parts';

/**
 * The per-view protocol (issue 19 part 1, docs/ARCHITECTURE "Live updates"): a socket asks for
 * `live:subscribe` `{ view: 'summary' }` / `{ view: 'service', service }` and receives that view's
 * snapshot, then its deltas (`summary:delta`, `service:delta` per service room); a service view
 * also follows the service's failures (`history:follow`), as a service page does.
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

interface PartHeader {
  seq: number;
  part: number;
  parts: number;
}

/**
 * A part's place (seq, part of parts) from its first bytes only: the header leads every part's JSON
 * (lib/model/summary-parts.ts), so inflating 2 KB of it is enough. Microseconds, so stamping a
 * part's receipt stays cheap whatever else this process does.
 */
function peekHeader(data: Uint8Array): PartHeader | undefined {
  try {
    const text = gunzipSync(data.subarray(0, 2_048), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const seq = /^\{"epoch":"[^"]*","seq":(\d+)/.exec(text)?.[1];
    const place = /,"part":(\d+),"parts":(\d+),"services":\[/.exec(text);
    if (seq === undefined || !place) return undefined;
    return { seq: Number(seq), part: Number(place[1]), parts: Number(place[2]) };
  } catch {
    return undefined;
  }
}

export const perViewProtocol: ViewerProtocol = {
  name: 'per view (`live:subscribe`: the summary room, a room per service)',
  connect(url, token): ViewerSession {
    const socket = openSocket(url, token);
    const traffic = meterTraffic(socket);
    const problem = watchProblems(socket);
    const listeners: ((key: string, at: EpochMs) => void)[] = [];
    const summary = new Set<(at: EpochMs) => void>();
    const services = new Map<string, Set<(at: EpochMs) => void>>();
    // The first view is delivered when the snapshot's last part is in; it is decoded later, alone
    // (decodeSummary), so this process's 25 decodes do not delay the next viewer's receipt.
    const parts: { at: EpochMs; data: Uint8Array; header: PartHeader | undefined }[] = [];
    socket.on('summary:snapshot', (raw: ArrayBuffer | Uint8Array) => {
      const data = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
      const received = { at: epochNow(), data, header: peekHeader(data) };
      parts.push(received);
      const { header } = received;
      if (!header || header.part !== header.parts - 1) return;
      const snapshot = parts.filter((part) => part.header?.seq === header.seq);
      if (snapshot.length !== header.parts) return;
      for (const resolve of summary) resolve(received.at);
      summary.clear();
    });
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
        // A service page also follows that service's failures (its recent failures, lib/client/useHistoryFailures.ts).
        if (view.view === 'service') socket.emit('history:follow', { service: view.service, failures: true });
      });
    const decodeSummary = async (): Promise<{ ms: number; services: number } | undefined> => {
      const last = parts.at(-1)?.header;
      if (!last) return undefined;
      const started = performance.now();
      let services = -1;
      const receiver = receiveSummary((snapshot) => (services = snapshot.services.length));
      for (const part of parts) if (part.header?.seq === last.seq) receiver.part(part.data);
      await receiver.idle();
      return services < 0 ? undefined : { ms: performance.now() - started, services };
    };
    return {
      subscribe,
      decodeSummary,
      onKey: (listener) => void listeners.push(listener),
      upgraded: (timeoutMs) => waitForWebSocket(socket, timeoutMs),
      traffic,
      problem,
      close: () => void socket.close(),
    };
  },
};
