import { z } from 'zod';
import { epochNow, meterTraffic, openSocket, waitForWebSocket, watchProblems, type EpochMs, type ViewerProtocol, type ViewerSession } from './scale-viewer';

/**
 * The protocol on main before the per-view subscriptions: on connect every socket receives
 * `state:snapshot` (the whole fleet) and then every `state:delta`, whatever it shows. There is
 * nothing to subscribe to, so every view's first view is that one snapshot.
 *
 * Messages are read through a schema of the few fields used (not the model's types), so this file
 * keeps compiling when the model drops these events.
 */
const DeltaKeysSchema = z.object({
  changes: z.array(z.union([z.object({ op: z.literal('upsert'), instance: z.object({ key: z.string() }) }), z.object({ op: z.string() })])),
});

export const wholeFleetProtocol: ViewerProtocol = {
  name: 'whole fleet (`state:snapshot` + every `state:delta` to every socket)',
  connect(url, token): ViewerSession {
    const socket = openSocket(url, token);
    const traffic = meterTraffic(socket);
    const problem = watchProblems(socket);
    const listeners: ((key: string, at: EpochMs) => void)[] = [];
    const firstView = new Promise<EpochMs>((resolve, reject) => {
      // The snapshot is not parsed beyond Socket.IO's own JSON.parse: only its arrival matters here.
      socket.once('state:snapshot', () => resolve(epochNow()));
      socket.once('connect_error', reject);
    });
    firstView.catch(() => undefined);
    socket.on('state:delta', (raw: unknown) => {
      const at = epochNow();
      const delta = DeltaKeysSchema.safeParse(raw);
      if (!delta.success) return;
      for (const change of delta.data.changes) {
        if ('instance' in change) for (const listener of listeners) listener(change.instance.key, at);
      }
    });
    return {
      subscribe: () => firstView,
      onKey: (listener) => void listeners.push(listener),
      upgraded: (timeoutMs) => waitForWebSocket(socket, timeoutMs),
      traffic,
      problem,
      close: () => void socket.close(),
    };
  },
};
